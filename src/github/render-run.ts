import type { ItemSnapshot, RunSnapshot } from "../backfill/types.js";
import { escapeMarkdown } from "./escape-markdown.js";
import { clip, foldTable } from "./fold-table.js";
import type { RunResults, Velocity } from "./run-results.js";

/** Comment bodies may hold 65,536 characters; leave room for the header and results. */
export const COMMENT_LIMIT = 65_536;
export const CHECK_SUMMARY_LIMIT = 65_535;

export function runMarker(runId: number): string {
  return `<!-- workspace-backfill:run=${runId} -->`;
}

export function progressLine(run: RunSnapshot): string {
  const pct = run.total === 0 ? 100 : Math.floor((run.done * 100) / run.total);
  const parts = [`**${run.done}/${run.total} (${pct}%)**`, `${run.completed} completed`];
  if (run.failed > 0) parts.push(`${run.failed} failed`);
  if (run.cancelled > 0) parts.push(`${run.cancelled} cancelled`);
  return parts.join(" · ");
}

export function runHeadline(run: RunSnapshot): string {
  const who = run.requestedBy ? ` requested by ${escapeMarkdown(run.requestedBy)}` : "";
  return `Back-fill run #${run.id} of ${run.days} days (${run.source}${who}): ${run.status}`;
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
  return foldTable(["Repository", "Status", "Events found", "Error"], items.map(cells), budget);
}

function cells(item: ItemSnapshot): string[] {
  return [
    escapeMarkdown(item.fullName),
    item.status,
    item.eventsFound === null ? "" : String(item.eventsFound),
    item.error ? escapeMarkdown(clip(item.error, 200)) : "",
  ];
}

function row(item: ItemSnapshot): string {
  return `| ${cells(item).join(" | ")} |`;
}

export function formatChange(v: Velocity): string {
  if (v.percentChange === null || !Number.isFinite(v.percentChange)) return "n/a";
  const rounded = Math.round(v.percentChange);
  return `${rounded > 0 ? "+" : ""}${rounded}%`;
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
