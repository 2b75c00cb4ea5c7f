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
const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * Events of [a, b) on one UTC day of `pieces`: the day row when the day lies in
 * [floor_day(a), floor_day(b)), minus W(a) on a's day, plus W(b) on b's day.
 */
const between = (column: string, a: string, b: string) =>
  `coalesce(sum(case when edge is null then
                       case when day >= (${a} at time zone 'UTC')::date
                             and day < (${b} at time zone 'UTC')::date then ${column} end
                     when edge = ${b} then ${column}
                     when edge = ${a} then -${column} end), 0)`;

const P = "$3::timestamptz"; // previous window start
const C = "$4::timestamptz"; // current window start
const LW = "$5::timestamptz"; // last week start
const TW = "$6::timestamptz"; // this week start
const N = "$7::timestamptz"; // now

/**
 * Every figure of the metrics in one statement (one round trip): per repository, per day
 * of the current window and for the workspace, plus first/last event, all-time counts
 * and, when asked, the unique actors.
 *
 * Whole days come from github_event_days (one row per repository and day); each window
 * edge costs W(edge) = events between the UTC midnight before it and the edge, from at
 * most one day row, one run of ≤ 12 hour rows and ≤ 30 minutes of events (`splitWindow`).
 * For `now`, a repository with no event dated at or after it takes its day row alone.
 *
 * Unique actors: a repository with no event at or after `now` and no removed event that
 * was an actor's last since the current window began answers from github_event_actors
 * (actors whose last event is in the window); any other is counted from its events.
 * Both are exact; `union` counts an actor once across repositories.
 */
export async function queryMetrics(
  db: Queryable,
  repositories: { ownerKey: string; nameKey: string }[],
  plan: WindowPlan,
  uniqueActors: boolean,
): Promise<MetricsRow[]> {
  const reads = plan.edgeReads;
  const { rows } = await db.query<MetricsRow>(
    `with repos as materialized (
       select r.position::int as position, r.owner_key, r.name_key,
              t.stars as star_events, t.forks as fork_events,
              f.first_at, l.last_at,
              coalesce(l.last_at >= ${N}, false) as has_future,
              (coalesce(l.last_at < ${N}, true)
                and coalesce(t.actor_removed_at < ${C}, true)) as actors_by_last_seen
         from unnest($1::text[], $2::text[]) with ordinality as r (owner_key, name_key, position)
         left join github_event_repositories t
           on t.owner_key = r.owner_key and t.name_key = r.name_key
         cross join lateral (
           select min(e.created_at) as first_at from github_events_cache e
            where lower(e.repository_owner) = r.owner_key and lower(e.repository_name) = r.name_key
         ) f
         cross join lateral (
           select max(e.created_at) as last_at from github_events_cache e
            where lower(e.repository_owner) = r.owner_key and lower(e.repository_name) = r.name_key
         ) l
     ),
     edge_reads (edge, kind, lo, hi, sign, future) as (
       select * from unnest($8::timestamptz[], $9::text[], $10::timestamptz[],
                            $11::timestamptz[], $12::int[], $13::boolean[])
     ),
     edge_counts as (
       select r.position, x.edge,
              sum(x.sign * c.stars)::int as stars, sum(x.sign * c.forks)::int as forks,
              sum(x.sign * c.events)::int as events
         from repos r
         join edge_reads x on x.future is null or x.future = r.has_future
         cross join lateral (
           select d.stars, d.forks, d.events
             from github_event_days d
            where x.kind = 'day'
              and d.owner_key = r.owner_key and d.name_key = r.name_key
              and d.day = (x.lo at time zone 'UTC')::date
           union all
           select sum(h.stars)::int, sum(h.forks)::int, sum(h.events)::int
             from github_event_hours h
            where x.kind = 'hour'
              and h.owner_key = r.owner_key and h.name_key = r.name_key
              and h.hour >= x.lo and h.hour < x.hi
           union all
           select (count(*) filter (where e.event_type = 'WatchEvent'))::int,
                  (count(*) filter (where e.event_type = 'ForkEvent'))::int,
                  count(*)::int
             from github_events_cache e
            where x.kind = 'exact'
              and lower(e.repository_owner) = r.owner_key and lower(e.repository_name) = r.name_key
              and e.created_at >= x.lo and e.created_at < x.hi
         ) c
        group by r.position, x.edge
     ),
     pieces (position, day, edge, stars, forks, events) as (
       select r.position, d.day, null::timestamptz, d.stars, d.forks, d.events
         from repos r
         join github_event_days d
           on d.owner_key = r.owner_key and d.name_key = r.name_key
          and d.day >= $14::date and d.day < (${N} at time zone 'UTC')::date
       union all
       select position, (edge at time zone 'UTC')::date, edge, stars, forks, events
         from edge_counts
     ),
     per_day as (
       select position, day,
              ${between("stars", C, N)} as stars_current,
              ${between("stars", P, C)} as stars_previous,
              ${between("stars", TW, N)} as stars_this_week,
              ${between("stars", LW, TW)} as stars_last_week,
              ${between("forks", C, N)} as forks_current,
              ${between("forks", P, C)} as forks_previous,
              ${between("forks", TW, N)} as forks_this_week,
              ${between("forks", LW, TW)} as forks_last_week,
              ${between("events", C, N)} as events_current,
              ${between("events", P, C)} as events_previous,
              ${between("events", P, N)} as events_span
         from pieces
        group by position, day
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
              max(day - coalesce(previous_active_day, $15::date - 1) - 1)
                filter (where events_span > 0) as longest_gap_before,
              to_char(max(day) filter (where events_span > 0), 'YYYY-MM-DD') as last_active_day
         from marked
        group by grouping sets ((position), (day), ())
     ),
     actors as (
       select count(*)::int as unique_actors
         from (
           select a.actor_key
             from repos r
             join github_event_actors a
               on a.owner_key = r.owner_key and a.name_key = r.name_key and a.last_at >= ${C}
            where $16::boolean and r.actors_by_last_seen
           union
           select lower(e.actor_login)
             from repos r
             join github_events_cache e
               on lower(e.repository_owner) = r.owner_key and lower(e.repository_name) = r.name_key
              and e.created_at >= ${C} and e.created_at < ${N}
            where $16::boolean and not r.actors_by_last_seen and e.actor_login is not null
         ) active
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
            case when s.grain = 'all' and $16::boolean then (select unique_actors from actors) end
       from sums s
      where s.grain <> 'repository'`,
    [
      repositories.map((r) => r.ownerKey),
      repositories.map((r) => r.nameKey),
      iso(plan.previousStart),
      iso(plan.currentStart),
      iso(plan.lastWeekStart),
      iso(plan.thisWeekStart),
      iso(plan.now),
      reads.map((x) => iso(x.edge)),
      reads.map((x) => x.kind),
      reads.map((x) => iso(x.lo)),
      reads.map((x) => iso(x.hi)),
      reads.map((x) => x.sign),
      reads.map((x) => x.future),
      utcDate(plan.start),
      utcDate(plan.previousStart),
      uniqueActors,
    ],
  );
  return rows;
}
