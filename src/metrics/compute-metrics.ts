import type { Queryable } from "../db/index.js";
import { countMetric } from "./count-metric.js";
import { queryRepositoryFacts } from "./query-repository-facts.js";
import { queryUniqueActors } from "./query-unique-actors.js";
import { queryWindowCounts, type WindowCountsRow } from "./query-window-counts.js";
import { datesOf, splitWindow } from "./split-window.js";
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

const emptyCounts = (): Omit<WindowCountsRow, "grain" | "owner_key" | "name_key" | "day"> => ({
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
});

/**
 * Star and fork metrics of a set of repositories over [now − days, now) against
 * [now − 2·days, now − days), UTC, half-open; owner and name compared case-insensitively.
 *
 * Every count is an aggregate computed by Postgres over rollups the insert trigger keeps
 * current (migrations/0002_metrics_rollup.sql). Chosen on these figures from
 * bench/metrics.ts (50 repositories, 90 days of events, 30-day window, Postgres 15 on 2
 * cores shared with other work, so absolute times are pessimistic):
 *
 *   events  rollups (this)  index-only counts  seed (rows into JS)  exact unique actors
 *   1M      135 ms          422 ms             5.4 s                721 ms
 *   5M      120 ms          1,624 ms           39 s                 3.5 s
 *
 * The rollups stay flat from 1M to 5M (0.89×); the index-only plan, though it reads no
 * table rows, grows with the events (3.8×). The price is on insert: 49k rows/s without the
 * trigger, 22k rows/s with it, far above what gh-datapipe writes. Unique actors are the
 * exception (see query-unique-actors.ts).
 */
export async function computeMetrics(
  db: Queryable,
  refs: RepositoryRef[],
  options: MetricsOptions = {},
): Promise<Metrics> {
  const days = options.days ?? DEFAULT_METRICS_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_METRICS_DAYS) {
    throw new RangeError(`days must be a whole number from 1 to ${MAX_METRICS_DAYS}`);
  }
  const now = options.now ?? new Date();
  const plan = splitWindow(now, days);

  const seen = new Set<string>();
  const repositories: (RepositoryRef & { key: string; ownerKey: string; nameKey: string })[] = [];
  for (const ref of refs) {
    const key = keyOf(ref.owner, ref.name);
    if (seen.has(key)) continue;
    seen.add(key);
    repositories.push({
      ...ref,
      key,
      ownerKey: ref.owner.toLowerCase(),
      nameKey: ref.name.toLowerCase(),
    });
  }

  const [counts, facts, uniqueActors] = await Promise.all([
    repositories.length > 0 ? queryWindowCounts(db, repositories, plan) : [],
    repositories.length > 0 ? queryRepositoryFacts(db, repositories) : [],
    options.uniqueActors === false
      ? null
      : repositories.length > 0
        ? queryUniqueActors(db, repositories, new Date(plan.currentStart), now)
        : 0,
  ]);

  const perRepository = new Map<string, WindowCountsRow>();
  const perDay = new Map<string, WindowCountsRow>();
  for (const row of counts) {
    if (row.grain === "repository") perRepository.set(`${row.owner_key}/${row.name_key}`, row);
    else if (row.grain === "day") perDay.set(row.day!, row);
  }
  const factsOf = new Map(facts.map((f) => [`${f.owner_key}/${f.name_key}`, f]));

  const spanDates = datesOf(plan.previousStart, plan.now);
  const lastSpanDay = Date.parse(`${spanDates.at(-1)}T00:00:00Z`);

  const results: RepositoryMetrics[] = repositories.map((repo) => {
    const c = perRepository.get(repo.key) ?? { ...emptyCounts() };
    const f = factsOf.get(repo.key);
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
      firstEvent: f?.first_event ?? null,
      lastEvent: f?.last_event ?? null,
      daysWithEvents: c.days_with_events,
      spanDays: spanDates.length,
      longestGapDays,
      hasPreviousWindow,
      needsBackfill: !hasPreviousWindow || longestGapDays > BACKFILL_GAP_DAYS,
    };
    return {
      repository,
      stars: countMetric(
        repo.stargazersCount ?? f?.star_events ?? 0,
        c.stars_current,
        c.stars_previous,
        days,
      ),
      forks: countMetric(
        repo.forksCount ?? f?.fork_events ?? 0,
        c.forks_current,
        c.forks_previous,
        days,
      ),
      thisWeek: { stars: c.stars_this_week, forks: c.forks_this_week },
      lastWeek: { stars: c.stars_last_week, forks: c.forks_last_week },
      totalEvents: c.events_current,
      coverage,
    };
  });

  const all = counts.find((r) => r.grain === "all") ?? { ...emptyCounts() };
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
      all.stars_current,
      all.stars_previous,
      days,
    ),
    forks: countMetric(
      sum((r) => r.forks.total),
      all.forks_current,
      all.forks_previous,
      days,
    ),
    thisWeek: { stars: all.stars_this_week, forks: all.forks_this_week },
    lastWeek: { stars: all.stars_last_week, forks: all.forks_last_week },
    timeline: datesOf(plan.currentStart, plan.now).map((date) => {
      const d = perDay.get(date);
      const stars = d?.stars_current ?? 0;
      const forks = d?.forks_current ?? 0;
      return { date, stars, forks, total: stars + forks };
    }),
    activity: {
      totalEvents: all.events_current,
      uniqueActors,
      mostActiveRepo: mostActive?.repository ?? null,
    },
    coverage: results.map((r) => r.coverage),
    repositories: results,
  };
}
