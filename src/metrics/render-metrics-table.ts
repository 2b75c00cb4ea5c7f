import { escapeMarkdownCell } from "./escape-markdown-cell.js";
import { formatChange } from "./format-change.js";
import type { Metrics, RepositoryCoverage } from "./types.js";

const perDay = (velocity: number) => velocity.toFixed(2);

function coverageCell(c: RepositoryCoverage): string {
  const days = `${c.daysWithEvents}/${c.spanDays} days`;
  if (!c.needsBackfill) return days;
  const reason = c.hasPreviousWindow ? `gap of ${c.longestGapDays} days` : "no earlier window";
  return `${days}, ${reason}: needs backfill`;
}

/**
 * One row per repository and a workspace row: stars and forks per day over the current
 * window, their change against the previous one, and how complete the events are.
 */
export function renderMetricsTable(metrics: Metrics): string {
  const lines = [
    "| Repository | Stars/day | Change | Forks/day | Change | Coverage |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const r of metrics.repositories) {
    lines.push(
      `| ${escapeMarkdownCell(r.repository)} | ${perDay(r.stars.velocity)} | ${formatChange(r.stars.percentChange)} | ${perDay(r.forks.velocity)} | ${formatChange(r.forks.percentChange)} | ${coverageCell(r.coverage)} |`,
    );
  }
  const needing = metrics.coverage.filter((c) => c.needsBackfill).length;
  const total = metrics.coverage.length;
  const workspaceCoverage =
    total === 0
      ? "no repositories"
      : needing === 0
        ? "complete"
        : `${needing} of ${total} need backfill`;
  lines.push(
    `| **Workspace** | **${perDay(metrics.stars.velocity)}** | **${formatChange(metrics.stars.percentChange)}** | **${perDay(metrics.forks.velocity)}** | **${formatChange(metrics.forks.percentChange)}** | ${workspaceCoverage} |`,
  );
  return lines.join("\n");
}
