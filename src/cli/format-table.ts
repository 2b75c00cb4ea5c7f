/**
 * A plain-text table with columns padded to their widest cell, for terminals (GitHub
 * gets markdown; a terminal reads aligned columns better than pipes).
 */
export function formatTable(
  headers: string[],
  rows: string[][],
  align: ("left" | "right")[] = [],
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        align[i] === "right" ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!),
      )
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function formatCount(n: number | null | undefined): string {
  return n == null ? "-" : n.toLocaleString("en-US");
}
