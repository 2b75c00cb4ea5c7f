import type { Queryable } from "../db/index.js";
import { countMetric } from "./count-metric.js";
import { type MetricsRow, queryMetrics } from "./query-metrics.js";
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

const emptyCounts = (): MetricsRow => ({
  grain: "all",
  position: null,
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
  unique_actors: null,
});

/**
 * Star and fork metrics of a set of repositories over [now − days, now) against
 * [now − 2·days, now − days), UTC, half-open; owner and name compared case-insensitively.
 *
 * Every figure comes from one statement (query-metrics.ts) over rollups that the
 * github_events_cache triggers keep current (migrations/0005_metrics_rollup_columns.sql):
 * one row per repository and UTC day holding running totals by hour, one row per
 * repository, and each actor's last event per repository. Chosen on these figures from
 * bench/metrics.ts (50 repositories, 90 days, 30-day window; Postgres 15 on 2 cores with
 * load average 3–8 from other work, so absolute times are pessimistic):
 *
 *                                   1M events   5M events   1M → 5M
 *   first design (per-type day and hour rows, edges' partial hours from events, 3 statements)
 *     without unique actors          135 ms      120 ms
 *     exact unique actors (scan)     721 ms      3.5 s
 *   0005 (this)
 *     without unique actors          18.8 ms     22.8 ms     1.21×
 *     with unique actors (the API)   260 ms      1.19 s
 *     unique actors from the events  289 ms      1.84 s
 *   seed (both windows into JS)      3.2 s       28.5 s
 *
 * Profiled (EXPLAIN ANALYZE at 1M): the first design read ~23 hour rows per type per edge day and
 * repository (~17k rows) plus whole partial hours of events, in three round trips; 0005
 * reads 61 day rows per repository, one running-total element per edge and at most 30
 * minutes of events per edge (none when the edge is on the hour, none for `now` when no
 * event is dated after it), one round trip. What remains is ~3,000 day rows through one
 * window function and one grouping-sets aggregate: cost follows repositories × days.
 *
 * Unique actors (the API's `activity.uniqueActors`) stay exact. Per repository they cost
 * what the window's active (repository, actor) pairs cost: a user stars a repository once,
 * so with star-heavy traffic those pairs are nearly the window's star events (314k
 * distinct actors at 1M, 807k at 5M in the bench). A workspace's answer therefore reads
 * the workspace actor rollup of migrations/0006 instead: each actor's last event across
 * the workspace's repositories and how many actors were last seen in each UTC hour. As the
 * window ends at `now`, its actors are ~720 histogram rows, two index ranges of at most 30
 * minutes of actors, and one lookup per actor last seen at or after `now` (query-metrics.ts).
 * Same machine, same run of bench/metrics.ts (load average 2–4):
 *
 *                                            1M events   5M events
 *   without unique actors                     17.9 ms     20.9 ms
 *   API answer, per-repository actors (0005)  368 ms      1.0–1.2 s
 *   API answer, workspace actor rollup        18.0 ms     22.8 ms   (p90 18.9, 26.3)
 *   seed (both windows into JS)               2.5 s       14.3 s
 *
 * (A second run at load average 4–5: 19.2/18.7 ms at 1M, 23.9/26.0 ms at 5M; the
 * workspace rollup adds ~2 ms at 5M, the rest is the day rollups above.)
 *
 * A window ending an hour before the newest events (every repository has later events,
 * ~2k actors looked up one by one, and the plan's cost estimate turns JIT compilation on)
 * costs 95–200 ms at 1M and 2.2–3.0 s at 5M; the API's `now` is the present, where such
 * actors exist only through clock skew. The rollup is read only when the workspace lists
 * exactly the repositories asked and no removed event was an actor's last since the window
 * began; otherwise the per-repository way answers.
 *
 * Inserts pay for both rollups (100k-row statements, figures spread by the machine's
 * load): 0005's triggers alone 34k rows/s; with 0006's actor index 23–34k; with 0006's
 * trigger too 19–25k rows/s for repositories of a workspace and 26–29k for repositories
 * in no workspace (the trigger finds no workspace and stops); no trigger at all 50–108k.
 * Loading the bench: 24k rows/s for the first 1M, 15–17k rows/s for 4M more.
 * A repository leaving a workspace rebuilds that workspace's actors: 14–15 s for the 5M
 * workspace (1.3–1.5 s to add one), rare and inside the membership change's transaction.
 * Callers that do not show the figure skip it (`uniqueActors: false`).
 */
/**
 * `workspace`: the installation whose repositories `refs` are. Its unique actors then come
 * from the workspace actor rollup, when the workspace lists exactly these repositories at
 * the moment the statement reads (else, and for any other caller, as without it).
 */
export async function computeMetrics(
  db: Queryable,
  refs: RepositoryRef[],
  options: MetricsOptions = {},
  workspace?: number,
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

  const rows =
    repositories.length > 0
      ? await queryMetrics(db, repositories, plan, options.uniqueActors !== false, workspace)
      : [];
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
      ),
      forks: countMetric(
        repo.forksCount ?? c.fork_events ?? 0,
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
    ),
    forks: countMetric(
      sum((r) => r.forks.total),
      totals.forks_current,
      totals.forks_previous,
      days,
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
