import { embedMarkdown } from "../embed/index.js";
import { escapeMarkdownCell as escapeMarkdown } from "../metrics/index.js";
import type { DashboardRow } from "./load-dashboard-rows.js";

/**
 * Room the embed lines may take in the dashboard: ~30 repositories' lines. The boxes and the
 * table come first (they are how people ask); past this the section names the URL pattern.
 */
export const EMBED_LINES_BUDGET = 6_000;

/**
 * The dashboard's `### Embeds` section (contract §8): for each public repository the
 * Markdown of its badge and chart under `PUBLIC_URL`, as inline code to copy. Empty without
 * `PUBLIC_URL` or without a public repository; a row whose privacy is unknown is left out.
 */
export function renderEmbedLines(
  rows: DashboardRow[],
  publicUrl: string | undefined,
  budget = EMBED_LINES_BUDGET,
): string {
  if (!publicUrl) return "";
  const open = rows.filter((r) => r.private === false);
  if (open.length === 0) return "";
  const head = [
    "### Embeds",
    "",
    "Stars badge and history chart of each public repository, for a README:",
    "",
    "",
  ].join("\n");
  const rest = (n: number) =>
    `\n_${n} more public ${n === 1 ? "repository" : "repositories"}: \`![stars](${publicUrl}/embed/OWNER/REPO/stars.svg)\`, \`![star history](${publicUrl}/embed/OWNER/REPO/history.svg)\`._`;
  const lines: string[] = [];
  let used = head.length + rest(open.length).length;
  for (const r of open) {
    const { badge, chart } = embedMarkdown(publicUrl, r.fullName);
    const line = `- ${escapeMarkdown(r.fullName)}: \`${badge}\` \`${chart}\``;
    if (used + line.length + 1 > budget) break;
    used += line.length + 1;
    lines.push(line);
  }
  const folded = open.length - lines.length;
  return `${head}${lines.join("\n")}${folded > 0 ? `\n${rest(folded)}` : ""}\n`;
}
