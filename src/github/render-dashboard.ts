import { escapeMarkdownCell as escapeMarkdown } from "../metrics/index.js";
import { foldTable } from "./fold-table.js";
import type { DashboardRow } from "./load-dashboard-rows.js";
import { renderEmbedLines } from "./render-embed-lines.js";
import { COMMENT_LIMIT } from "./render-run.js";

export const DASHBOARD_MARKER = "<!-- workspace-backfill:dashboard -->";

export interface DashboardState {
  rows: DashboardRow[];
  /** Repositories whose box stays ticked, lower-cased `owner/name`. */
  ticked: Set<string>;
  backfillSelected: boolean;
  /** A line about the active or last run, if any. */
  runLine: string | null;
  /** PUBLIC_URL: when set, the public repositories' embed Markdown follows the boxes. */
  publicUrl?: string | undefined;
  /** The settings file's schedule, its next run and a skipped due time (contract §7). */
  scheduleLines?: string[];
}

function day(d: Date | null): string {
  return d ? d.toISOString().slice(0, 10) : "never";
}

/**
 * The tracking issue's body (contract §3): a table of the repositories and one task-list
 * box per repository plus `Backfill selected`. The boxes come first in the budget: they
 * are how people ask; the table folds when 1,000 repositories would pass GitHub's limit.
 */
export function renderDashboard(state: DashboardState): string {
  const intro = [
    DASHBOARD_MARKER,
    "## Workspace backfill",
    "",
    `${state.rows.length} ${state.rows.length === 1 ? "repository" : "repositories"}.${state.runLine ? ` ${state.runLine}` : ""}`,
    "",
    ...(state.scheduleLines?.length ? [...state.scheduleLines, ""] : []),
  ].join("\n");
  const boxesHead = [
    "### Back-fill selected repositories",
    "",
    "Tick repositories, then tick **Backfill selected**.",
    "",
  ].join("\n");
  const box = (on: boolean) => (on ? "[x]" : "[ ]");
  let boxes = state.rows.map(
    (r) =>
      `- ${box(state.ticked.has(r.fullName.toLowerCase()))} ${escapeMarkdown(r.fullName)} <!-- repo=${r.fullName} -->`,
  );
  const tail = [
    "",
    `- ${box(state.backfillSelected)} Backfill selected <!-- backfill-selected -->`,
    "",
    "Commands: comment `/backfill help`.",
  ].join("\n");
  const embeds = renderEmbedLines(state.rows, state.publicUrl);
  const limit = COMMENT_LIMIT - 500 - embeds.length;
  // The boxes are how people ask, so they get the room first; the table takes the rest.
  const boxBudget = limit - intro.length - boxesHead.length - tail.length - 1_500;
  let boxText = boxes.join("\n");
  if (boxText.length > boxBudget) {
    // The hidden marker doubles a line; the visible name alone is read back just as well.
    boxes = state.rows.map(
      (r) => `- ${box(state.ticked.has(r.fullName.toLowerCase()))} ${escapeMarkdown(r.fullName)}`,
    );
    boxText = boxes.join("\n");
  }
  if (boxText.length > boxBudget) {
    // Ticked boxes are kept first so a fold never loses someone's selection.
    const order = state.rows
      .map((r, i) => ({ i, on: state.ticked.has(r.fullName.toLowerCase()) }))
      .sort((a, b) => Number(b.on) - Number(a.on) || a.i - b.i);
    const keep = new Set<number>();
    let used = 0;
    for (const { i } of order) {
      const line = boxes[i]!;
      if (used + line.length + 1 > boxBudget - 160) break;
      used += line.length + 1;
      keep.add(i);
    }
    const folded = boxes.length - keep.size;
    boxText = `${boxes.filter((_, i) => keep.has(i)).join("\n")}\n\n_${folded} more repositories folded to keep within GitHub's size limit: name them in a command, e.g. \`/backfill 30 owner/name\`._`;
  }
  const tableBudget = limit - intro.length - boxesHead.length - boxText.length - tail.length;
  const table = foldTable(
    ["Repository", "Status", "Last backfill", "Events (90 days)", "Coverage", "Needs back-fill"],
    state.rows.map((r) => [
      escapeMarkdown(r.fullName),
      r.status ?? "not back-filled",
      day(r.lastBackfillAt),
      String(r.events90),
      `${r.daysWithEvents}/90 days`,
      r.needsBackfill === undefined ? "" : r.needsBackfill ? "yes" : "no",
    ]),
    tableBudget,
  );
  return `${intro}${table}\n\n${boxesHead}${boxText}\n${tail}\n${embeds ? `\n${embeds}` : ""}`;
}
