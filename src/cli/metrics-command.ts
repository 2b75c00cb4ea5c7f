import { MAX_METRICS_DAYS } from "../metrics/compute-metrics.js";
import { getRepositoriesMetrics } from "../metrics/get-repositories-metrics.js";
import type { CountMetric, Metrics } from "../metrics/types.js";
import { type CliIo, UsageError, writeLine } from "./cli-io.js";
import { formatChange } from "../metrics/index.js";
import { formatCount, formatTable } from "./format-table.js";
import { openCliContext } from "./open-cli-context.js";
import { parseDays, parseRepositories } from "./parse-cli-arguments.js";

export interface MetricsInput {
  repositories: string[];
  days?: string | undefined;
  json?: boolean | undefined;
}

/** `workspace-backfill metrics`: stars and forks per day against the window before. */
export async function metricsCommand(io: CliIo, input: MetricsInput, now?: Date): Promise<number> {
  const repositories = parseRepositories(input.repositories);
  if (repositories.length === 0) throw new UsageError("name at least one repository as owner/name");
  const days = input.days === undefined ? 30 : parseDays(input.days, MAX_METRICS_DAYS);
  const context = await openCliContext(io);
  try {
    const metrics = await getRepositoriesMetrics(
      context.db,
      repositories.map((r) => r.fullName),
      { days, ...(now ? { now } : {}) },
    );
    writeLine(io.stdout, input.json ? JSON.stringify(metrics, null, 2) : formatMetrics(metrics));
    return 0;
  } finally {
    await context.close();
  }
}

const minute = (iso: string) => `${iso.slice(0, 16).replace("T", " ")}`;
const perDay = (m: CountMetric) => m.velocity.toFixed(2);

export function formatMetrics(metrics: Metrics): string {
  const { window } = metrics;
  const row = (name: string, m: { stars: CountMetric; forks: CountMetric }, events: number) => [
    name,
    perDay(m.stars),
    formatChange(m.stars.percentChange),
    perDay(m.forks),
    formatChange(m.forks.percentChange),
    formatCount(m.stars.current),
    formatCount(m.forks.current),
    formatCount(events),
  ];
  const rows = metrics.repositories.map((r) => row(r.repository, r, r.totalEvents));
  if (metrics.repositories.length > 1) rows.push(row("all", metrics, metrics.activity.totalEvents));
  return [
    `Last ${window.days} days (${minute(window.currentStart)} to ${minute(window.end)} UTC) against the ${window.days} days before`,
    "",
    formatTable(
      ["repository", "stars/day", "change", "forks/day", "change", "stars", "forks", "events"],
      rows,
      ["left", "right", "right", "right", "right", "right", "right", "right"],
    ),
  ].join("\n");
}
