import type { ItemSnapshot, RunSnapshot } from "../backfill/types.js";
import {
  escapeMarkdownCell as escapeMarkdown,
  formatChange as formatPercentChange,
} from "../metrics/index.js";
import { clip, foldTable } from "./fold-table.js";
import type { RunResults, Velocity } from "./run-results.js";

/** Comment bodies may hold 65,536 characters; leave room for the header and results. */
export const COMMENT_LIMIT = 65_536;
export const CHECK_SUMMARY_LIMIT = 65_535;

export function runMarker(runId: number): string {
  return `<!-- workspace-backfill:run=${runId} -->`;
}

/**
 * Contract §3: overall progress as `completed/total (NN%)`, counting only repositories
 * that completed (a failed one is finished, not completed), then the other statuses:
 * `**6/11 (55%)** completed · 3 failed · 1 pending · 1 processing`.
 */
export function progressLine(run: RunSnapshot): string {
  const parts = [
    `**${run.completed}/${run.total} (${percent(run.completed, run.total)}%)** completed`,
  ];
  const count = (status: string) => run.items.filter((i) => i.status === status).length;
  if (run.failed > 0) parts.push(`${run.failed} failed`);
  if (run.cancelled > 0) parts.push(`${run.cancelled} cancelled`);
  const pending = count("pending");
  const processing = count("processing");
  if (pending > 0) parts.push(`${pending} pending`);
  if (processing > 0) parts.push(`${processing} processing`);
  return parts.join(" · ");
}

/** Rounded, but 100% only when all completed (999/1000 reads 99%, not 100%). */
function percent(part: number, total: number): number {
  if (total === 0) return 100;
  const rounded = Math.round((part * 100) / total);
  return part < total ? Math.min(rounded, 99) : rounded;
}

export function runHeadline(run: RunSnapshot): string {
  const who = run.requestedBy ? ` requested by ${escapeMarkdown(run.requestedBy)}` : "";
  // `all` is GitHub's whole history; a run reading gh-datapipe only gets its days.
  const whole = run.fullHistory && (run.sources ?? []).includes("github");
  const span = whole ? "the whole history" : `${run.days} days`;
  return `Back-fill run #${run.id} of ${span} (${run.source}${who}): ${run.status}`;
}

/**
 * What arrived from where (contract §3): `N events` from gh-datapipe, `N stars, M forks`
 * from GitHub, plain integers; both when the run read both.
 */
export function foundText(item: ItemSnapshot): string {
  const parts: string[] = [];
  if (item.eventsFound !== null) parts.push(`${item.eventsFound} events`);
  const github = item.github;
  if (github?.status === "completed" && github.stars !== null && github.forks !== null) {
    parts.push(`${github.stars} stars, ${github.forks} forks`);
  }
  return parts.join("; ");
}

/** The per-repository table, failures first when it has to fold so errors stay visible. */
export function runTable(run: RunSnapshot, budget: number): string {
  const order: Record<string, number> = {
    failed: 0,
    processing: 1,
    pending: 2,
    cancelled: 3,
    completed: 4,
  };
  const items = [...run.items];
  const full = items.map(row).join("\n").length;
  if (full > budget)
    items.sort(
      (a, b) => (order[a.status] ?? 9) - (order[b.status] ?? 9) || a.position - b.position,
    );
  return foldTable(["Repository", "Status", "Found", "Error"], items.map(cells), budget);
}

function cells(item: ItemSnapshot): string[] {
  return [
    escapeMarkdown(item.fullName),
    item.status,
    foundText(item),
    item.error ? escapeMarkdown(clip(item.error, 200)) : "",
  ];
}

function row(item: ItemSnapshot): string {
  return `| ${cells(item).join(" | ")} |`;
}

/** The metrics module's whole percentages, written its way (`+15%`, `n/a`). */
function formatChange(v: Velocity): string {
  return formatPercentChange(v.percentChange);
}

function perDay(v: Velocity): string {
  return v.perDay.toFixed(2);
}

export function resultsSection(results: RunResults, budget: number): string {
  const rows = [
    [
      "**Workspace**",
      perDay(results.workspace.stars),
      formatChange(results.workspace.stars),
      perDay(results.workspace.forks),
      formatChange(results.workspace.forks),
    ],
    ...results.repositories.map((r) => [
      escapeMarkdown(r.fullName),
      perDay(r.stars),
      formatChange(r.stars),
      perDay(r.forks),
      formatChange(r.forks),
    ]),
  ];
  const chart = results.starsChart ?? "";
  const table = foldTable(
    ["Repository", "Stars/day (30 days)", "Change", "Forks/day (30 days)", "Change"],
    rows,
    Math.max(1_000, budget - chart.length - 200),
  );
  return ["### Results", "", table, ...(chart ? ["", chart] : [])].join("\n");
}

/** The progress comment: progress line, per-repository table and, at the end, the results. */
export function renderProgressComment(run: RunSnapshot, results: RunResults | null): string {
  const head = [runMarker(run.id), `### ${runHeadline(run)}`, "", progressLine(run), ""].join("\n");
  const resultsText = results ? `\n\n${resultsSection(results, 20_000)}` : "";
  const budget = COMMENT_LIMIT - 1_000 - head.length - resultsText.length;
  return `${head}\n${runTable(run, budget)}${resultsText}\n`;
}

export function renderCheckRunOutput(
  run: RunSnapshot,
  results: RunResults | null,
): { title: string; summary: string } {
  const title = `${progressLine(run).replace(/\*/g, "")}`;
  const head = `${runHeadline(run)}\n\n${progressLine(run)}\n\n`;
  const resultsText = results ? `\n\n${resultsSection(results, 20_000)}` : "";
  const budget = CHECK_SUMMARY_LIMIT - 1_000 - head.length - resultsText.length;
  return { title, summary: `${head}${runTable(run, budget)}${resultsText}` };
}
