import type { Queryable } from "../db/index.js";
import { activitySql } from "./actors-sql.js";
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
}

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

// Event days (UTC) of the edges, and the instants themselves.
const FD_P = "$3::date";
const FD_C = "$4::date";
const FD_LW = "$5::date";
const FD_TW = "$6::date";
const FD_N = "$7::date";
const P = "$8::timestamptz";
const C = "$9::timestamptz";
const N = "$10::timestamptz";
const LW = "$11::timestamptz";
const TW = "$12::timestamptz";
// GitHub's whole dates (contract §6).
const G_P = "$13::date";
const G_C = "$14::date";
const G_LW = "$15::date";
const G_TW = "$16::date";
const G_T = "$17::date";

/** W(edge) on an edge's day row: running totals of the day and the hour, exact seconds. */
const edgeCount = (column: string) => `w.${column}_before`;

/**
 * Folded events of [a, b) on one repository-day row: the day's total when the day lies in
 * [floor_day(a), floor_day(b)), minus W(a) on a's day, plus W(b) on b's day (all edges
 * share a time of day, so no day holds two).
 */
const between = (column: string, a: string, b: string) =>
  `(case when w.day >= ${a} and w.day < ${b} then w.${column} else 0 end
    - case when w.day = ${a} then ${edgeCount(column)} else 0 end
    + case when w.day = ${b} then ${edgeCount(column)} else 0 end)`;

/** Stars and forks of a day count from events only where GitHub does not cover it. */
const eventsDay = (kind: "stars" | "forks", day: string, of = "r") =>
  `not coalesce(${day} between ${of}.${kind}_from and ${of}.${kind}_to, false)`;
const githubDay = (kind: "stars" | "forks") =>
  `coalesce(g.day between r.${kind}_from and r.${kind}_to, false)`;
const inDates = (a: string, b: string) => `g.day >= ${a} and g.day <= ${b}`;
const at = (a: string, b: string) => `t.created_at >= ${a} and t.created_at < ${b}`;

/**
 * Every figure of the metrics in one statement (one round trip, one snapshot): per
 * repository, per day of the current window and for the workspace.
 *
 * Events: the rollups hold every row below the watermark (migrations/0013); per
 * repository they read its github_event_repositories row, its github_event_days rows of
 * the span and, per window edge, one github_event_hours row and at most 30 seconds of
 * events through gh-datapipe's index. The rows at or above the watermark (the tail) are
 * read through the inserted_xid btree and counted one by one. `knownMark` is a watermark
 * seen before: it only lets the planner see the tail is small; the statement filters by
 * the watermark of its own snapshot.
 *
 * Stars and forks of a day GitHub covers come from github_daily_counts, by whole dates.
 */
export async function queryMetrics(
  db: Queryable,
  repositories: { ownerKey: string; nameKey: string }[],
  plan: WindowPlan,
  uniqueActors: boolean,
  workspace: number | undefined,
  knownMark: string,
): Promise<MetricsRow[]> {
  const r = plan.recipe;
  const { rows } = await db.query<MetricsRow>(
    `with wm as materialized (
       select coalesce((select folded_before from metrics_watermark), '0'::xid8) as mark
     ),
     repos as materialized (
       select r.position::int as position, r.owner_key, r.name_key,
              t.stars as star_events, t.forks as fork_events, t.first_at, t.last_at,
              coalesce(t.last_at >= ${N}, false) as has_future,
              coalesce(t.actor_removed_at >= ${C}, false) as actors_removed,
              c.stars_from, c.stars_to, c.forks_from, c.forks_to
         from unnest($1::text[], $2::text[]) with ordinality as r (owner_key, name_key, position)
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
     edges as (
       select (e.at at time zone 'UTC')::date as day, date_trunc('hour', e.at, 'UTC') as hour,
              e.at + $22::int * interval '1 millisecond' as lo,
              e.at + $23::int * interval '1 millisecond' as hi
         from unnest($24::timestamptz[]) as e (at)
     ),
     edge_values as materialized (
           select r.position, g.day, m.stars + $21::int * c.stars as stars,
                  m.forks + $21::int * c.forks as forks,
                  m.events + $21::int * c.events as events
             from repos r
             cross join edges g
             left join github_event_hours h
               on h.owner_key = r.owner_key and h.name_key = r.name_key and h.hour = g.hour
             cross join lateral (
               select coalesce((select sum(v::int) from jsonb_each_text(h.stars) as j (k, v)
                                 where k::int < $20::int), 0) as stars,
                      coalesce((select sum(v::int) from jsonb_each_text(h.forks) as j (k, v)
                                 where k::int < $20::int), 0) as forks,
                      coalesce((select sum(v::int) from jsonb_each_text(h.events) as j (k, v)
                                 where k::int < $20::int), 0) as events
             ) m
             cross join lateral (
               select (count(*) filter (where e.event_type = 'WatchEvent'))::int as stars,
                      (count(*) filter (where e.event_type = 'ForkEvent'))::int as forks,
                      count(*)::int as events
                 from github_event_spellings s
                 join github_events_cache e
                   on e.repository_owner = s.repository_owner
                  and e.repository_name = s.repository_name
                  and e.created_at >= g.lo and e.created_at < g.hi
                where $21::int <> 0
                  and h.events ? ($26::int)::text
                  and s.owner_key = r.owner_key and s.name_key = r.name_key
                  and e.inserted_xid < (select mark from wm)
             ) c
     ),
     day_rows as materialized (
       select r.position, d.day, r.stars_from, r.stars_to, r.forks_from, r.forks_to,
              d.stars[24] as stars, d.forks[24] as forks, d.events[24] as events,
              coalesce(d.stars[$19::int], 0) + coalesce(x.stars, 0) as stars_before,
              coalesce(d.forks[$19::int], 0) + coalesce(x.forks, 0) as forks_before,
              coalesce(d.events[$19::int], 0) + coalesce(x.events, 0) as events_before
         from repos r
         join github_event_days d
           on d.owner_key = r.owner_key and d.name_key = r.name_key
          and d.day >= $25::date and d.day <= ${FD_N}
         left join edge_values x on x.position = r.position and x.day = d.day
     ),
     per_day as (
       select w.position, w.day,
              case when ${eventsDay("stars", "w.day", "w")} then ${between("stars", FD_C, FD_N)} else 0 end as stars_current,
              case when ${eventsDay("stars", "w.day", "w")} then ${between("stars", FD_P, FD_C)} else 0 end as stars_previous,
              case when ${eventsDay("stars", "w.day", "w")} then ${between("stars", FD_TW, FD_N)} else 0 end as stars_this_week,
              case when ${eventsDay("stars", "w.day", "w")} then ${between("stars", FD_LW, FD_TW)} else 0 end as stars_last_week,
              case when ${eventsDay("forks", "w.day", "w")} then ${between("forks", FD_C, FD_N)} else 0 end as forks_current,
              case when ${eventsDay("forks", "w.day", "w")} then ${between("forks", FD_P, FD_C)} else 0 end as forks_previous,
              case when ${eventsDay("forks", "w.day", "w")} then ${between("forks", FD_TW, FD_N)} else 0 end as forks_this_week,
              case when ${eventsDay("forks", "w.day", "w")} then ${between("forks", FD_LW, FD_TW)} else 0 end as forks_last_week,
              ${between("events", FD_C, FD_N)} as events_current,
              ${between("events", FD_P, FD_C)} as events_previous,
              ${between("events", FD_P, FD_N)} as events_span
         from day_rows w
       union all
       select t.position, t.day,
              count(*) filter (where s and ${at(C, N)}), count(*) filter (where s and ${at(P, C)}),
              count(*) filter (where s and ${at(TW, N)}), count(*) filter (where s and ${at(LW, TW)}),
              count(*) filter (where f and ${at(C, N)}), count(*) filter (where f and ${at(P, C)}),
              count(*) filter (where f and ${at(TW, N)}), count(*) filter (where f and ${at(LW, TW)}),
              count(*) filter (where ${at(C, N)}), count(*) filter (where ${at(P, C)}),
              count(*) filter (where ${at(P, N)})
         from (select t.position, t.created_at, (t.created_at at time zone 'UTC')::date as day,
                      t.event_type = 'WatchEvent' and ${eventsDay("stars", "(t.created_at at time zone 'UTC')::date")} as s,
                      t.event_type = 'ForkEvent' and ${eventsDay("forks", "(t.created_at at time zone 'UTC')::date")} as f
                 from tail t join repos r on r.position = t.position
                where t.created_at >= least(${P}, ${LW}) and t.created_at < ${N}) t
        group by 1, 2
       union all
       select r.position, g.day,
              case when ${githubDay("stars")} and ${inDates(G_C, G_T)} then g.stars else 0 end,
              case when ${githubDay("stars")} and ${inDates(G_P, `${G_C} - 1`)} then g.stars else 0 end,
              case when ${githubDay("stars")} and ${inDates(G_TW, G_T)} then g.stars else 0 end,
              case when ${githubDay("stars")} and ${inDates(G_LW, `${G_TW} - 1`)} then g.stars else 0 end,
              case when ${githubDay("forks")} and ${inDates(G_C, G_T)} then g.forks else 0 end,
              case when ${githubDay("forks")} and ${inDates(G_P, `${G_C} - 1`)} then g.forks else 0 end,
              case when ${githubDay("forks")} and ${inDates(G_TW, G_T)} then g.forks else 0 end,
              case when ${githubDay("forks")} and ${inDates(G_LW, `${G_TW} - 1`)} then g.forks else 0 end,
              0, 0, 0
         from repos r
         join github_daily_counts g
           on g.owner_key = r.owner_key and g.name_key = r.name_key
          and g.day >= least(${G_P}, ${G_LW}) and g.day <= ${G_T}
        where r.stars_from is not null or r.forks_from is not null
     ),
     combined as (
       select position, day,
              sum(stars_current) as stars_current, sum(stars_previous) as stars_previous,
              sum(stars_this_week) as stars_this_week, sum(stars_last_week) as stars_last_week,
              sum(forks_current) as forks_current, sum(forks_previous) as forks_previous,
              sum(forks_this_week) as forks_this_week, sum(forks_last_week) as forks_last_week,
              sum(events_current) as events_current, sum(events_previous) as events_previous,
              sum(events_span) as events_span
         from per_day
        group by 1, 2
     ),
     marked as (
       select *,
              max(day) filter (where events_span > 0) over (
                partition by position order by day
                rows between unbounded preceding and 1 preceding
              ) as previous_active_day
         from combined
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
     tail_totals as (
       select position,
              (count(*) filter (where event_type = 'WatchEvent'))::int as stars,
              (count(*) filter (where event_type = 'ForkEvent'))::int as forks,
              min(created_at) as first_at, max(created_at) as last_at
         from tail
        group by 1
     ),
     ${activitySql}
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
            to_char(least(r.first_at, tt.first_at) at time zone 'UTC', ${ISO_UTC}) as first_event,
            to_char(greatest(r.last_at, tt.last_at) at time zone 'UTC', ${ISO_UTC}) as last_event,
            (coalesce(r.star_events, 0) + coalesce(tt.stars, 0))::int as star_events,
            (coalesce(r.fork_events, 0) + coalesce(tt.forks, 0))::int as fork_events,
            to_char(r.stars_from, 'YYYY-MM-DD') as stars_from,
            to_char(r.stars_to, 'YYYY-MM-DD') as stars_to,
            to_char(r.forks_from, 'YYYY-MM-DD') as forks_from,
            to_char(r.forks_to, 'YYYY-MM-DD') as forks_to,
            null::int as unique_actors, null::text as watermark, null::int as tail_rows
       from repos r
       left join sums s on s.grain = 'repository' and s.position = r.position
       left join tail_totals tt on tt.position = r.position
     union all
     select s.grain, null, s.day,
            s.stars_current, s.stars_previous, s.stars_this_week, s.stars_last_week,
            s.forks_current, s.forks_previous, s.forks_this_week, s.forks_last_week,
            s.events_current, s.events_previous, s.days_with_events,
            null, null, null, null, null, null, null, null, null, null,
            case when s.grain = 'all' and $27::boolean then (select unique_actors::int from actors) end,
            case when s.grain = 'all' then (select mark::text from wm) end,
            case when s.grain = 'all' then (select count(*)::int from tail_all) end
       from sums s
      where s.grain <> 'repository'`,
    [
      repositories.map((x) => x.ownerKey),
      repositories.map((x) => x.nameKey),
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
      r.minuteIndex,
      r.sign,
      r.exactFrom,
      r.exactTo,
      plan.edges.map(iso),
      utcDate(plan.start),
      r.edgeMinute,
      uniqueActors,
      workspace ?? null,
      iso(actorHourEdge(plan.currentStart)),
      iso(actorHourEdge(plan.now)),
    ],
  );
  return rows;
}
