import { getRepositoriesMetrics } from "../metrics/get-repositories-metrics.js";
import type { Metrics } from "../metrics/types.js";
import { type CliIo, UsageError, writeLine } from "./cli-io.js";
import { formatTable } from "./format-table.js";
import { openCliContext } from "./open-cli-context.js";
import { parseRepositories } from "./parse-cli-arguments.js";

/** Velocity compares two 30-day windows: coverage is judged over those 60 days. */
const COVERAGE_DAYS = 30;

/** `workspace-backfill coverage`: what history each repository has, and what needs a back-fill. */
export async function coverageCommand(
  io: CliIo,
  input: { repositories: string[] },
  now?: Date,
): Promise<number> {
  const repositories = parseRepositories(input.repositories);
  if (repositories.length === 0) throw new UsageError("name at least one repository as owner/name");
  const context = await openCliContext(io);
  try {
    const metrics = await getRepositoriesMetrics(
      context.db,
      repositories.map((r) => r.fullName),
      { days: COVERAGE_DAYS, uniqueActors: false, ...(now ? { now } : {}) },
    );
    writeLine(io.stdout, formatCoverage(metrics, context.config.BACKFILL_MAX_DAYS));
    return 0;
  } finally {
    await context.close();
  }
}

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "-");

export function formatCoverage(metrics: Metrics, backfillDays: number): string {
  const table = formatTable(
    [
      "repository",
      "first event",
      "last event",
      "days with events",
      "longest gap",
      "previous 30 days",
      "needs back-fill",
    ],
    metrics.coverage.map((c) => [
      c.repository,
      day(c.firstEvent),
      day(c.lastEvent),
      `${c.daysWithEvents}/${c.spanDays}`,
      `${c.longestGapDays}d`,
      c.hasPreviousWindow ? "yes" : "no",
      c.needsBackfill ? "yes" : "no",
    ]),
    ["left", "left", "left", "right", "right", "left", "left"],
  );
  const needing = metrics.coverage.filter((c) => c.needsBackfill).map((c) => c.repository);
  const verdict =
    needing.length === 0
      ? "Every repository has enough history for velocity against the previous 30 days."
      : `Needs a back-fill (no data in the previous 30 days, or a gap over 7 days): ${needing.join(", ")}\n` +
        `  workspace-backfill backfill ${needing.join(" ")} --days ${backfillDays}`;
  return `${table}\n\n${verdict}`;
}
