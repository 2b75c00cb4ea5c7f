import type { Queryable } from "../db/index.js";
import { activitySql } from "./actors-sql.js";
import { eventsSql } from "./events-sql.js";
import { utcDate, type WindowPlan } from "./split-window.js";

export interface MetricsRow {
  /** `repository` (one per repository asked, in order), `day` or `all` (the workspace). */
  grain: "repository" | "day" | "all";
  /** 1-based position of the repository in the list asked (or in the workspace). */
  position: number | null;
  /** Per repository, when the workspace's repositories were asked: as the workspace has them. */
  owner: string | null;
  name: string | null;
  stargazers_count: number | null;
  forks_count: number | null;
  day: string | null;
  stars_current: number;
  stars_previous: number;
  stars_this_week: number;
  stars_last_week: number;
  forks_current: number;
  forks_previous: number;
  forks_this_week: number;
  forks_last_week: number;
  events_current: number;
  events_previous: number;
  /** Per repository: UTC days of the span [previousStart, now) with an event. */
  days_with_events: number;
  /** Per repository: longest run of empty days before an active day (leading run included). */
  longest_gap_before: number | null;
  /** Per repository: the last active day of the span. */
  last_active_day: string | null;
  /** Per repository: first and last cached event, ISO 8601 UTC. */
  first_event: string | null;
  last_event: string | null;
  /** Per repository: cached star and fork events of all time. */
  star_events: number | null;
  fork_events: number | null;
  /** Per repository: the dates GitHub's figures cover (github_history_coverage). */
  stars_from: string | null;
  stars_to: string | null;
  forks_from: string | null;
  forks_to: string | null;
  /** On the `all` row when asked for: distinct actors of the current window. */
  unique_actors: number | null;
  /** On the `all` row: the watermark this answer read, and the tail rows it read. */
  watermark: string | null;
  tail_rows: number | null;
  /** On the `all` row, when a workspace was asked: whether it exists and has not ended. */
  workspace_found: boolean | null;
}

/** What to measure: repositories by their keys, or the repositories of a workspace. */
export type MetricsTarget =
  | { repositories: { ownerKey: string; nameKey: string }[] }
  | { workspace: number };

const iso = (t: number) => new Date(t).toISOString();
const HOUR = 3_600_000;
const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * The hour boundary nearest the window start c: the actor histogram counts whole hours
 * from it, and the at most 30 minutes of actors between it and c are read one by one.
 */
function actorHourEdge(c: number): number {
  const below = Math.floor(c / HOUR) * HOUR;
  return c - below <= HOUR / 2 ? below : below + HOUR;
}

const N = "$10::timestamptz";
const C = "$9::timestamptz";

/**
 * Through `queryPlanned` where the database has it: planning this statement costs a few
 * milliseconds each time, more than most of its execution (docs/scaling.md).
 */
const runPlanned = <R>(db: Queryable, text: string, params: unknown[]) =>
  db.queryPlanned
    ? db.queryPlanned<R>("workspace-metrics", text, params)
    : db.query<R>(text, params);

/**
 * Every figure of the metrics in one statement (one round trip, one snapshot): per
 * repository, per day of the current window and for the workspace. A workspace's
 * repositories are read in the same statement, in their order (`workspace_repositories`
 * holds each owner/name once).
 *
 * Events: the rollups hold every row below the watermark (migrations/0013); per
 * repository they read its github_event_repositories row, its github_event_days rows of
 * the span and, per window edge, its day row and its hour's row (events-sql.ts). The rows at or above the watermark
 * (the tail) are read through the inserted_xid btree and counted one by one. `knownMark`
 * is a watermark seen before: it only lets the planner see the tail is small; the
 * statement filters by the watermark of its own snapshot. Unique actors: actors-sql.ts.
 */
export async function queryMetrics(
  db: Queryable,
  target: MetricsTarget,
  plan: WindowPlan,
  uniqueActors: boolean,
  knownMark: string,
): Promise<MetricsRow[]> {
  const r = plan.recipe;
  const keys = "repositories" in target ? target.repositories : null;
  const { rows } = await runPlanned<MetricsRow>(
    db,
    `with wm as materialized (
       select coalesce((select folded_before from metrics_watermark), '0'::xid8) as mark
     ),
     repos as materialized (
       select r.position, r.owner_key, r.name_key,
              r.owner, r.name, r.stargazers_count, r.forks_count,
              t.stars as star_events, t.forks as fork_events, t.first_at, t.last_at,
              coalesce(t.last_at >= ${N}, false) as has_future,
              coalesce(t.actor_removed_at >= ${C}, false) as actors_removed,
              c.stars_from, c.stars_to, c.forks_from, c.forks_to
         from (select k.owner_key, k.name_key, k.position::int as position, null::text as owner,
                      null::text as name, null::int as stargazers_count, null::int as forks_count
                 from unnest($1::text[], $2::text[]) with ordinality as k (owner_key, name_key, position)
               union all
               select lower(w.owner), lower(w.name), (row_number() over (order by w.position))::int,
                      w.owner, w.name, w.stargazers_count, w.forks_count
                 from workspace_repositories w
                 join workspaces s
                   on s.installation_id = w.installation_id and s.status <> 'deleted'
                where $1::text[] is null and w.installation_id = $22::bigint) r
         left join github_event_repositories t
           on t.owner_key = r.owner_key and t.name_key = r.name_key
         left join github_history_coverage c
           on c.owner_key = r.owner_key and c.name_key = r.name_key
     ),
     tail_all as materialized (
       select e.repository_owner, e.repository_name, e.event_type, e.actor_login, e.created_at
         from github_events_cache e
        where e.inserted_xid >= $18::xid8 and e.inserted_xid >= (select mark from wm)
     ),
     tail as materialized (
       select r.position, t.event_type, lower(t.actor_login) as actor_key, t.created_at
         from tail_all t
         join repos r
           on r.owner_key = lower(t.repository_owner) and r.name_key = lower(t.repository_name)
     ),
     ${eventsSql},
     tail_totals as (
       select position,
              (count(*) filter (where event_type = 'WatchEvent'))::int as stars,
              (count(*) filter (where event_type = 'ForkEvent'))::int as forks,
              min(created_at) as first_at, max(created_at) as last_at
         from tail
        group by 1
     ),
     ${activitySql}
     select 'repository' as grain, r.position, r.owner, r.name, r.stargazers_count, r.forks_count,
            null::text as day,
            k.stars_current, k.stars_previous, k.stars_this_week, k.stars_last_week,
            k.forks_current, k.forks_previous, k.forks_this_week, k.forks_last_week,
            k.events_current, k.events_previous,
            coalesce(a.days_with_events, 0) as days_with_events,
            a.longest_gap_before, to_char(a.last_active, 'YYYY-MM-DD') as last_active_day,
            to_char(least(r.first_at, tt.first_at) at time zone 'UTC', ${ISO_UTC}) as first_event,
            to_char(greatest(r.last_at, tt.last_at) at time zone 'UTC', ${ISO_UTC}) as last_event,
            (coalesce(r.star_events, 0) + coalesce(tt.stars, 0))::int as star_events,
            (coalesce(r.fork_events, 0) + coalesce(tt.forks, 0))::int as fork_events,
            to_char(r.stars_from, 'YYYY-MM-DD') as stars_from,
            to_char(r.stars_to, 'YYYY-MM-DD') as stars_to,
            to_char(r.forks_from, 'YYYY-MM-DD') as forks_from,
            to_char(r.forks_to, 'YYYY-MM-DD') as forks_to,
            null::int as unique_actors, null::text as watermark, null::int as tail_rows,
            null::boolean as workspace_found
       from repos r
       join counts k on k.position = r.position
       left join activity_days a on a.position = r.position
       left join tail_totals tt on tt.position = r.position
     union all
     select 'day', null, null, null, null, null, d.day, d.stars, 0, 0, 0, d.forks, 0, 0, 0, 0, 0, 0,
            null, null, null, null, null, null, null, null, null, null, null, null, null, null
       from timeline d
     union all
     select 'all', null, null, null, null, null, null,
            coalesce(sum(stars_current), 0)::int, coalesce(sum(stars_previous), 0)::int,
            coalesce(sum(stars_this_week), 0)::int, coalesce(sum(stars_last_week), 0)::int,
            coalesce(sum(forks_current), 0)::int, coalesce(sum(forks_previous), 0)::int,
            coalesce(sum(forks_this_week), 0)::int, coalesce(sum(forks_last_week), 0)::int,
            coalesce(sum(events_current), 0)::int, coalesce(sum(events_previous), 0)::int, 0,
            null, null, null, null, null, null, null, null, null, null,
            case when $21::boolean then (select unique_actors::int from actors) end,
            (select mark::text from wm),
            (select count(*)::int from tail_all),
            exists (select 1 from workspaces s
                     where s.installation_id = $22::bigint and s.status <> 'deleted')
       from counts`,
    [
      keys?.map((x) => x.ownerKey) ?? null,
      keys?.map((x) => x.nameKey) ?? null,
      utcDate(plan.previousStart),
      utcDate(plan.currentStart),
      utcDate(plan.lastWeekStart),
      utcDate(plan.thisWeekStart),
      utcDate(plan.now),
      iso(plan.previousStart),
      iso(plan.currentStart),
      iso(plan.now),
      iso(plan.lastWeekStart),
      iso(plan.thisWeekStart),
      plan.github.previousStart,
      plan.github.currentStart,
      plan.github.lastWeekStart,
      plan.github.thisWeekStart,
      plan.github.today,
      knownMark,
      r.hourIndex,
      r.msIntoHour - 1,
      uniqueActors,
      "workspace" in target ? target.workspace : null,
      iso(actorHourEdge(plan.currentStart)),
      iso(actorHourEdge(plan.now)),
    ],
  );
  return rows;
}
