import type { Queryable } from "../db/index.js";
import { utcDate, type WindowPlan } from "./split-window.js";

export interface MetricsRow {
  /** `repository` (one per repository asked, in order), `day` or `all` (the workspace). */
  grain: "repository" | "day" | "all";
  /** 1-based position of the repository in the list asked. */
  position: number | null;
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
  /** On the `all` row when asked for: distinct actors of the current window. */
  unique_actors: number | null;
}

const iso = (t: number) => new Date(t).toISOString();
const HOUR = 3_600_000;

/**
 * The hour boundary nearest the window start c: the actor histogram counts whole hours
 * from it, and the at most 30 minutes of actors between it and c are read one by one.
 */
function actorHourEdge(c: number): number {
  const below = Math.floor(c / HOUR) * HOUR;
  return c - below <= HOUR / 2 ? below : below + HOUR;
}
const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

const FD_P = "$3::date"; // UTC day of the previous window's start
const FD_C = "$4::date"; // … of the current window's start
const FD_LW = "$5::date"; // … of last week's start
const FD_TW = "$6::date"; // … of this week's start
const FD_N = "$7::date"; // … of now
const C = "$9::timestamptz"; // current window start
const N = "$10::timestamptz"; // now

/** W(edge) on an edge's day row: a running total of the day plus the exact minutes. */
const edgeCount = (column: string) => `(w.${column}_before + coalesce(x.${column}, 0))`;

/**
 * Events of [a, b) on one repository-day row: the day's total when the day lies in
 * [floor_day(a), floor_day(b)), minus W(a) on a's day, plus W(b) on b's day (all edges
 * share a time of day, so no day holds two).
 */
const between = (column: string, a: string, b: string) =>
  `(case when w.day >= ${a} and w.day < ${b} then w.${column} else 0 end
    - case when w.day = ${a} then ${edgeCount(column)} else 0 end
    + case when w.day = ${b} then ${edgeCount(column)} else 0 end)`;

/**
 * Every figure of the metrics in one statement (one round trip): per repository, per day
 * of the current window and for the workspace, plus first/last event, all-time counts
 * and, when asked, the unique actors.
 *
 * Reads, per repository: its github_event_repositories row, its github_event_days rows of
 * the span (one per day, each holding the day's running totals by hour) and, per window
 * edge inside an hour that had events, at most 30 minutes of events through the covering
 * index (`splitWindow`). Nothing else follows the number of events.
 *
 * Unique actors of a workspace (`workspace` given, and it lists exactly these
 * repositories as the statement reads it), when no removed event of them was an actor's
 * last since the current window began: from workspace_actor_hours and
 * workspace_actor_last_seen (migrations/0006). An actor acted in [C, N) iff its last event
 * in the workspace is there (whole hours from the histogram, the cut hours at C and N from
 * the rows: at most 30 minutes each, `actorHourEdge`), or is dated at or after N and it
 * also acted in [C, N): looked up per such actor, in github_event_actors for repositories
 * without events after N, in the events of the others.
 *
 * Otherwise, per repository: one with no event at or after `now` and no such removed event
 * answers from github_event_actors (actors whose last event is in the window); any other
 * is counted from its events. Exact too; `union` counts an actor once across repositories.
 */
export async function queryMetrics(
  db: Queryable,
  repositories: { ownerKey: string; nameKey: string }[],
  plan: WindowPlan,
  uniqueActors: boolean,
  workspace?: number,
): Promise<MetricsRow[]> {
  const reads = plan.exactReads;
  const { rows } = await db.query<MetricsRow>(
    `with repos as materialized (
       select r.position::int as position, r.owner_key, r.name_key,
              t.stars as star_events, t.forks as fork_events, t.first_at, t.last_at,
              coalesce(t.last_at >= ${N}, false) as has_future,
              (coalesce(t.last_at < ${N}, true)
                and coalesce(t.actor_removed_at < ${C}, true)) as actors_by_last_seen,
              coalesce(t.actor_removed_at < ${C}, true) as actors_not_removed
         from unnest($1::text[], $2::text[]) with ordinality as r (owner_key, name_key, position)
         left join github_event_repositories t
           on t.owner_key = r.owner_key and t.name_key = r.name_key
     ),
     day_rows as materialized (
       select r.position, r.owner_key, r.name_key, r.has_future, d.day,
              d.stars[24] as stars, d.forks[24] as forks, d.events[24] as events,
              coalesce(d.stars[i.running], 0) as stars_before,
              coalesce(d.forks[i.running], 0) as forks_before,
              coalesce(d.events[i.running], 0) as events_before,
              d.events[$14::int + 1] > coalesce(d.events[$14::int], 0) as edge_hour_active
         from repos r
         join github_event_days d
           on d.owner_key = r.owner_key and d.name_key = r.name_key
          and d.day >= $8::date and d.day <= ${FD_N}
         cross join lateral (
           select case when d.day = ${FD_N} then $12::int else $11::int end as running
         ) i
     ),
     exact_reads (day, lo, hi, sign, only_with_future) as (
       select * from unnest($13::date[], $15::timestamptz[], $16::timestamptz[],
                            $17::int[], $18::boolean[])
     ),
     exact as (
       select w.position, w.day,
              x.sign * c.stars as stars, x.sign * c.forks as forks, x.sign * c.events as events
         from day_rows w
         join exact_reads x
           on x.day = w.day and (not x.only_with_future or w.has_future)
         cross join lateral (
           select (count(*) filter (where e.event_type = 'WatchEvent'))::int as stars,
                  (count(*) filter (where e.event_type = 'ForkEvent'))::int as forks,
                  count(*)::int as events
             from github_events_cache e
            where w.edge_hour_active
              and lower(e.repository_owner) = w.owner_key
              and lower(e.repository_name) = w.name_key
              and e.created_at >= x.lo and e.created_at < x.hi
         ) c
     ),
     per_day as (
       select w.position, w.day,
              ${between("stars", FD_C, FD_N)} as stars_current,
              ${between("stars", FD_P, FD_C)} as stars_previous,
              ${between("stars", FD_TW, FD_N)} as stars_this_week,
              ${between("stars", FD_LW, FD_TW)} as stars_last_week,
              ${between("forks", FD_C, FD_N)} as forks_current,
              ${between("forks", FD_P, FD_C)} as forks_previous,
              ${between("forks", FD_TW, FD_N)} as forks_this_week,
              ${between("forks", FD_LW, FD_TW)} as forks_last_week,
              ${between("events", FD_C, FD_N)} as events_current,
              ${between("events", FD_P, FD_C)} as events_previous,
              ${between("events", FD_P, FD_N)} as events_span
         from day_rows w
         left join exact x on x.position = w.position and x.day = w.day
     ),
     marked as (
       select *,
              max(day) filter (where events_span > 0) over (
                partition by position order by day
                rows between unbounded preceding and 1 preceding
              ) as previous_active_day
         from per_day
     ),
     sums as (
       select case
                when grouping(position, day) = 1 then 'repository'
                when grouping(position, day) = 2 then 'day'
                else 'all'
              end as grain,
              position, to_char(day, 'YYYY-MM-DD') as day,
              sum(stars_current)::int as stars_current,
              sum(stars_previous)::int as stars_previous,
              sum(stars_this_week)::int as stars_this_week,
              sum(stars_last_week)::int as stars_last_week,
              sum(forks_current)::int as forks_current,
              sum(forks_previous)::int as forks_previous,
              sum(forks_this_week)::int as forks_this_week,
              sum(forks_last_week)::int as forks_last_week,
              sum(events_current)::int as events_current,
              sum(events_previous)::int as events_previous,
              (count(*) filter (where events_span > 0))::int as days_with_events,
              max(day - coalesce(previous_active_day, ${FD_P} - 1) - 1)
                filter (where events_span > 0) as longest_gap_before,
              to_char(max(day) filter (where events_span > 0), 'YYYY-MM-DD') as last_active_day
         from marked
        group by grouping sets ((position), (day), ())
     ),
     workspace_rollup as materialized (
       select $20::bigint is not null
              and (select bool_and(r.actors_not_removed) from repos r)
              and (select count(*) from workspace_repositories w
                    where w.installation_id = $20::bigint) = (select count(*) from repos)
              and (select count(*) from repos r
                     join workspace_repositories w
                       on w.installation_id = $20::bigint
                      and lower(w.owner) = r.owner_key and lower(w.name) = r.name_key)
                  = (select count(*) from repos) as usable
        where $19::boolean
     ),
     actors as (
       select (select coalesce(sum(h.actors), 0)
                 from workspace_actor_hours h
                where h.installation_id = $20::bigint
                  and h.hour >= $21::timestamptz and h.hour < $22::timestamptz)
              + (select count(*) from workspace_actor_last_seen s
                  where s.installation_id = $20::bigint
                    and s.last_at >= ${C} and s.last_at < $21::timestamptz)
              - (select count(*) from workspace_actor_last_seen s
                  where s.installation_id = $20::bigint
                    and s.last_at >= $21::timestamptz and s.last_at < ${C})
              + (select count(*) from workspace_actor_last_seen s
                  where s.installation_id = $20::bigint
                    and s.last_at >= $22::timestamptz and s.last_at < ${N})
              - (select count(*) from workspace_actor_last_seen s
                  where s.installation_id = $20::bigint
                    and s.last_at >= ${N} and s.last_at < $22::timestamptz)
              + (select count(*) from workspace_actor_last_seen s
                  where s.installation_id = $20::bigint and s.last_at >= ${N}
                    and exists (
                          select 1 from repos r
                            join github_event_actors a
                              on a.owner_key = r.owner_key and a.name_key = r.name_key
                             and a.actor_key = s.actor_key
                           where not r.has_future and a.last_at >= ${C}
                          union all
                          select 1 from repos r
                            join github_events_cache e
                              on lower(e.repository_owner) = r.owner_key
                             and lower(e.repository_name) = r.name_key
                             and lower(e.actor_login) = s.actor_key
                             and e.created_at >= ${C} and e.created_at < ${N}
                           where r.has_future)) as unique_actors
        where (select usable from workspace_rollup)
       union all
       select count(*) as unique_actors
         from (
           select a.actor_key
             from repos r
             join github_event_actors a
               on a.owner_key = r.owner_key and a.name_key = r.name_key and a.last_at >= ${C}
            where r.actors_by_last_seen and not (select usable from workspace_rollup)
           union
           select lower(e.actor_login)
             from repos r
             join github_events_cache e
               on lower(e.repository_owner) = r.owner_key and lower(e.repository_name) = r.name_key
              and e.created_at >= ${C} and e.created_at < ${N}
            where not r.actors_by_last_seen and e.actor_login is not null
              and not (select usable from workspace_rollup)
         ) active
       having not (select usable from workspace_rollup)
     )
     select 'repository' as grain, r.position, null::text as day,
            coalesce(s.stars_current, 0) as stars_current,
            coalesce(s.stars_previous, 0) as stars_previous,
            coalesce(s.stars_this_week, 0) as stars_this_week,
            coalesce(s.stars_last_week, 0) as stars_last_week,
            coalesce(s.forks_current, 0) as forks_current,
            coalesce(s.forks_previous, 0) as forks_previous,
            coalesce(s.forks_this_week, 0) as forks_this_week,
            coalesce(s.forks_last_week, 0) as forks_last_week,
            coalesce(s.events_current, 0) as events_current,
            coalesce(s.events_previous, 0) as events_previous,
            coalesce(s.days_with_events, 0) as days_with_events,
            s.longest_gap_before, s.last_active_day,
            to_char(r.first_at at time zone 'UTC', ${ISO_UTC}) as first_event,
            to_char(r.last_at at time zone 'UTC', ${ISO_UTC}) as last_event,
            coalesce(r.star_events, 0) as star_events,
            coalesce(r.fork_events, 0) as fork_events,
            null::int as unique_actors
       from repos r
       left join sums s on s.grain = 'repository' and s.position = r.position
     union all
     select s.grain, null, s.day,
            s.stars_current, s.stars_previous, s.stars_this_week, s.stars_last_week,
            s.forks_current, s.forks_previous, s.forks_this_week, s.forks_last_week,
            s.events_current, s.events_previous, s.days_with_events,
            null, null, null, null, null, null,
            case when s.grain = 'all' and $19::boolean then (select unique_actors::int from actors) end
       from sums s
      where s.grain <> 'repository'`,
    [
      repositories.map((r) => r.ownerKey),
      repositories.map((r) => r.nameKey),
      utcDate(plan.previousStart),
      utcDate(plan.currentStart),
      utcDate(plan.lastWeekStart),
      utcDate(plan.thisWeekStart),
      utcDate(plan.now),
      utcDate(plan.start),
      iso(plan.currentStart),
      iso(plan.now),
      plan.runningIndex,
      plan.nowRunningIndex,
      reads.map((x) => x.day),
      Math.floor((plan.now % 86_400_000) / 3_600_000),
      reads.map((x) => iso(x.lo)),
      reads.map((x) => iso(x.hi)),
      reads.map((x) => x.sign),
      reads.map((x) => x.onlyWithFuture),
      uniqueActors,
      workspace ?? null,
      iso(actorHourEdge(plan.currentStart)),
      iso(actorHourEdge(plan.now)),
    ],
  );
  return rows;
}
