import type { Queryable } from "../db/index.js";
import { countMetric } from "./count-metric.js";
import { combineSources, sourceOf } from "./metric-source.js";
import type { MetricsRow } from "./query-metrics.js";
import { queryWithTail } from "./query-with-tail.js";
import { datesOf, splitWindow, type WindowPlan } from "./split-window.js";
import type {
  Metrics,
  MetricsOptions,
  RepositoryCoverage,
  RepositoryMetrics,
  RepositoryRef,
} from "./types.js";

export const DEFAULT_METRICS_DAYS = 30;
export const MAX_METRICS_DAYS = 365;

/** A gap longer than this many days means the events have a hole worth back-filling. */
const BACKFILL_GAP_DAYS = 7;
const DAY = 86_400_000;

const keyOf = (owner: string, name: string) => `${owner.toLowerCase()}/${name.toLowerCase()}`;

const emptyCounts = (): MetricsRow => ({
  grain: "all",
  position: null,
  owner: null,
  name: null,
  stargazers_count: null,
  forks_count: null,
  day: null,
  stars_current: 0,
  stars_previous: 0,
  stars_this_week: 0,
  stars_last_week: 0,
  forks_current: 0,
  forks_previous: 0,
  forks_this_week: 0,
  forks_last_week: 0,
  events_current: 0,
  events_previous: 0,
  days_with_events: 0,
  longest_gap_before: null,
  last_active_day: null,
  first_event: null,
  last_event: null,
  star_events: null,
  fork_events: null,
  stars_from: null,
  stars_to: null,
  forks_from: null,
  forks_to: null,
  unique_actors: null,
  watermark: null,
  tail_rows: null,
  workspace_found: null,
});

/** A window length in days, checked, and the window's plan at `options.now`. */
function planOf(options: MetricsOptions) {
  const days = options.days ?? DEFAULT_METRICS_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_METRICS_DAYS) {
    throw new RangeError(`days must be a whole number from 1 to ${MAX_METRICS_DAYS}`);
  }
  return splitWindow(options.now ?? new Date(), days);
}

/**
 * Star and fork metrics of a set of repositories over [now − days, now) against
 * [now − 2·days, now − days), UTC, half-open; owner and name compared case-insensitively.
 * Stars and forks of the dates GitHub's own figures cover come from those, by whole dates
 * (contract §6); `source` says which.
 *
 * Every figure comes from one statement (query-metrics.ts) over rollups that hold every
 * event below the watermark, plus the events above it (the tail) counted one by one
 * (migrations/0013_metrics_watermark.sql): nothing of ours runs inside gh-datapipe's
 * inserts. The rollups: one row per repository and UTC day (running totals by hour, and
 * the previous day with events), one per repository and hour with events (its events'
 * instants, sorted, read only at the window edges), one per repository, each actor's last event per repository and per workspace
 * (with an hour histogram of those last events, for unique actors). Figures behind the
 * design: docs/scaling.md ("Metrics storage"), from bench/metrics.ts.
 *
 * When the last answer read a big tail, the tail is folded first (the background round
 * of maintain-metrics.ts normally keeps it small).
 */
export async function computeMetrics(
  db: Queryable,
  refs: RepositoryRef[],
  options: MetricsOptions = {},
): Promise<Metrics> {
  const plan = planOf(options);
  const seen = new Set<string>();
  const repositories: (RepositoryRef & { ownerKey: string; nameKey: string })[] = [];
  for (const ref of refs) {
    const key = keyOf(ref.owner, ref.name);
    if (seen.has(key)) continue;
    seen.add(key);
    repositories.push({
      ...ref,
      ownerKey: ref.owner.toLowerCase(),
      nameKey: ref.name.toLowerCase(),
    });
  }
  const rows =
    repositories.length > 0
      ? await queryWithTail(db, { repositories }, plan, options.uniqueActors !== false)
      : [];
  return summarize(rows, repositories, plan, options);
}

/**
 * The metrics of a workspace's repositories (`workspace_repositories`, in their order, with
 * GitHub's stargazer and fork counts as totals where the workspace knows them), read in the
 * same statement as the figures; null when there is no such workspace, or it has ended.
 * Unique actors come from the workspace actor rollup when that rollup holds exactly these
 * repositories (a membership change not reconciled yet counts the slower exact way).
 */
export async function computeWorkspaceMetrics(
  db: Queryable,
  workspace: number,
  options: MetricsOptions = {},
): Promise<Metrics | null> {
  const plan = planOf(options);
  const rows = await queryWithTail(db, { workspace }, plan, options.uniqueActors !== false);
  if (rows.find((r) => r.grain === "all")?.workspace_found !== true) return null;
  const repositories: RepositoryRef[] = [];
  for (const row of rows) {
    if (row.grain !== "repository") continue;
    repositories[row.position! - 1] = {
      owner: row.owner!,
      name: row.name!,
      stargazersCount: row.stargazers_count,
      forksCount: row.forks_count,
    };
  }
  return summarize(rows, repositories, plan, options);
}

/** The figures of the statement's rows, per repository of `repositories` and in all. */
function summarize(
  rows: MetricsRow[],
  repositories: RepositoryRef[],
  plan: WindowPlan,
  options: MetricsOptions,
): Metrics {
  const { days } = plan;
  const now = new Date(plan.now);
  const perRepository: MetricsRow[] = [];
  const perDay = new Map<string, MetricsRow>();
  let all: MetricsRow | undefined;
  for (const row of rows) {
    if (row.grain === "repository") perRepository[row.position! - 1] = row;
    else if (row.grain === "day") perDay.set(row.day!, row);
    else all = row;
  }

  const spanDates = datesOf(plan.previousStart, plan.now);
  const lastSpanDay = Date.parse(`${spanDates.at(-1)}T00:00:00Z`);

  const results: RepositoryMetrics[] = repositories.map((repo, i) => {
    const c = perRepository[i] ?? emptyCounts();
    const repository = `${repo.owner}/${repo.name}`;
    let longestGapDays: number;
    if (c.last_active_day === null) {
      longestGapDays = spanDates.length;
    } else {
      const trailing = Math.round(
        (lastSpanDay - Date.parse(`${c.last_active_day}T00:00:00Z`)) / DAY,
      );
      longestGapDays = Math.max(c.longest_gap_before ?? 0, trailing);
    }
    const hasPreviousWindow = c.events_previous > 0;
    const coverage: RepositoryCoverage = {
      repository,
      firstEvent: c.first_event,
      lastEvent: c.last_event,
      daysWithEvents: c.days_with_events,
      spanDays: spanDates.length,
      longestGapDays,
      hasPreviousWindow,
      needsBackfill: !hasPreviousWindow || longestGapDays > BACKFILL_GAP_DAYS,
    };
    return {
      repository,
      stars: countMetric(
        repo.stargazersCount ?? c.star_events ?? 0,
        c.stars_current,
        c.stars_previous,
        days,
        sourceOf(plan, c.stars_from, c.stars_to),
      ),
      forks: countMetric(
        repo.forksCount ?? c.fork_events ?? 0,
        c.forks_current,
        c.forks_previous,
        days,
        sourceOf(plan, c.forks_from, c.forks_to),
      ),
      thisWeek: { stars: c.stars_this_week, forks: c.forks_this_week },
      lastWeek: { stars: c.stars_last_week, forks: c.forks_last_week },
      totalEvents: c.events_current,
      coverage,
    };
  });

  const totals = all ?? emptyCounts();
  const sum = (pick: (r: RepositoryMetrics) => number) => results.reduce((s, r) => s + pick(r), 0);
  let mostActive: RepositoryMetrics | null = null;
  for (const r of results) {
    if (r.totalEvents > 0 && (mostActive === null || r.totalEvents > mostActive.totalEvents)) {
      mostActive = r;
    }
  }

  return {
    window: {
      days,
      previousStart: new Date(plan.previousStart).toISOString(),
      currentStart: new Date(plan.currentStart).toISOString(),
      end: now.toISOString(),
    },
    stars: countMetric(
      sum((r) => r.stars.total),
      totals.stars_current,
      totals.stars_previous,
      days,
      combineSources(results.map((r) => r.stars.source)),
    ),
    forks: countMetric(
      sum((r) => r.forks.total),
      totals.forks_current,
      totals.forks_previous,
      days,
      combineSources(results.map((r) => r.forks.source)),
    ),
    thisWeek: { stars: totals.stars_this_week, forks: totals.forks_this_week },
    lastWeek: { stars: totals.stars_last_week, forks: totals.forks_last_week },
    timeline: datesOf(plan.currentStart, plan.now).map((date) => {
      const d = perDay.get(date);
      const stars = d?.stars_current ?? 0;
      const forks = d?.forks_current ?? 0;
      return { date, stars, forks, total: stars + forks };
    }),
    activity: {
      totalEvents: totals.events_current,
      uniqueActors: options.uniqueActors === false ? null : (totals.unique_actors ?? 0),
      mostActiveRepo: mostActive?.repository ?? null,
    },
    coverage: results.map((r) => r.coverage),
    repositories: results,
  };
}
