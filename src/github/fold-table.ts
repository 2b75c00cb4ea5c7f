/**
 * GitHub rejects issue and comment bodies over 65,536 characters (check-run summaries over
 * 65,535). A table of 1,000 repositories can pass that, so rows beyond a character budget
 * are folded into one line that says how many were left out.
 */
export function foldTable(header: string[], rows: string[][], budget: number): string {
  const head = `| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`;
  const lines = [head];
  let used = head.length + 1;
  let shown = 0;
  // Room for the folded-rows note.
  const reserve = 120;
  for (const row of rows) {
    const line = `| ${row.join(" | ")} |`;
    if (used + line.length + 1 + reserve > budget) break;
    lines.push(line);
    used += line.length + 1;
    shown += 1;
  }
  const folded = rows.length - shown;
  if (folded > 0) {
    lines.push("");
    lines.push(
      `_${folded} more ${folded === 1 ? "row" : "rows"} folded to keep within GitHub's size limit._`,
    );
  }
  return lines.join("\n");
}

/** Cuts long free text (error messages) so one row cannot eat the budget. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
