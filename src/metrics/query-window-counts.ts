import type { Queryable } from "../db/index.js";
import { type Range, utcDate, type WindowPlan } from "./split-window.js";

export interface WindowCountsRow {
  /** `repository`, `day` or `all` (the workspace). */
  grain: "repository" | "day" | "all";
  owner_key: string | null;
  name_key: string | null;
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
  /** Per repository: UTC days of the span with an event. */
  days_with_events: number;
  /** Per repository: longest run of empty days before an active day (leading run included). */
  longest_gap_before: number | null;
  /** Per repository: the last active day of the span. */
  last_active_day: string | null;
}

const iso = (t: number) => new Date(t).toISOString();
const los = (ranges: Range[], f: (t: number) => string) => ranges.map((r) => f(r[0]));
const his = (ranges: Range[], f: (t: number) => string) => ranges.map((r) => f(r[1]));

/**
 * Counts of both windows, both weeks and every day of the current window, per repository,
 * per day and for all of them, in one statement. Whole days come from github_event_days,
 * whole hours from github_event_hours, and only the minutes cut by an edge from the events
 * themselves (`splitWindow`), so the rows read follow repositories × days.
 */
export async function queryWindowCounts(
  db: Queryable,
  repositories: { ownerKey: string; nameKey: string }[],
  plan: WindowPlan,
): Promise<WindowCountsRow[]> {
  const { rows } = await db.query<WindowCountsRow>(
    `with repos (owner_key, name_key) as (
       select * from unnest($1::text[], $2::text[])
     ),
     day_ranges (lo, hi) as (select * from unnest($3::date[], $4::date[])),
     hour_ranges (lo, hi) as (select * from unnest($5::timestamptz[], $6::timestamptz[])),
     exact_ranges (lo, hi) as (select * from unnest($7::timestamptz[], $8::timestamptz[])),
     buckets (owner_key, name_key, event_type, at, n) as (
       select d.owner_key, d.name_key, d.event_type, d.day::timestamp at time zone 'UTC', d.events
         from repos r
         cross join day_ranges x
         join github_event_days d
           on d.owner_key = r.owner_key and d.name_key = r.name_key
          and d.day >= x.lo and d.day < x.hi
       union all
       select h.owner_key, h.name_key, h.event_type, h.hour, h.events
         from repos r
         cross join hour_ranges x
         join github_event_hours h
           on h.owner_key = r.owner_key and h.name_key = r.name_key
          and h.hour >= x.lo and h.hour < x.hi
       union all
       select r.owner_key, r.name_key, e.event_type, e.created_at, 1
         from repos r
         cross join exact_ranges x
         join github_events_cache e
           on lower(e.repository_owner) = r.owner_key and lower(e.repository_name) = r.name_key
          and e.created_at >= x.lo and e.created_at < x.hi
     ),
     per_day as (
       select owner_key, name_key, (at at time zone 'UTC')::date as day,
              coalesce(sum(n) filter (where event_type = 'WatchEvent' and at >= $10::timestamptz), 0) as stars_current,
              coalesce(sum(n) filter (where event_type = 'WatchEvent' and at >= $9::timestamptz and at < $10::timestamptz), 0) as stars_previous,
              coalesce(sum(n) filter (where event_type = 'WatchEvent' and at >= $13::timestamptz), 0) as stars_this_week,
              coalesce(sum(n) filter (where event_type = 'WatchEvent' and at >= $12::timestamptz and at < $13::timestamptz), 0) as stars_last_week,
              coalesce(sum(n) filter (where event_type = 'ForkEvent' and at >= $10::timestamptz), 0) as forks_current,
              coalesce(sum(n) filter (where event_type = 'ForkEvent' and at >= $9::timestamptz and at < $10::timestamptz), 0) as forks_previous,
              coalesce(sum(n) filter (where event_type = 'ForkEvent' and at >= $13::timestamptz), 0) as forks_this_week,
              coalesce(sum(n) filter (where event_type = 'ForkEvent' and at >= $12::timestamptz and at < $13::timestamptz), 0) as forks_last_week,
              coalesce(sum(n) filter (where at >= $10::timestamptz), 0) as events_current,
              coalesce(sum(n) filter (where at >= $9::timestamptz and at < $10::timestamptz), 0) as events_previous,
              coalesce(sum(n) filter (where at >= $9::timestamptz), 0) as events_span
         from buckets
        where at < $11::timestamptz
        group by owner_key, name_key, day
     ),
     marked as (
       select *,
              max(day) filter (where events_span > 0) over (
                partition by owner_key, name_key order by day
                rows between unbounded preceding and 1 preceding
              ) as previous_active_day
         from per_day
     )
     select case
              when grouping(owner_key, name_key, day) = 1 then 'repository'
              when grouping(owner_key, name_key, day) = 6 then 'day'
              else 'all'
            end as grain,
            owner_key, name_key, to_char(day, 'YYYY-MM-DD') as day,
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
            max(day - coalesce(previous_active_day, $14::date - 1) - 1)
              filter (where events_span > 0) as longest_gap_before,
            to_char(max(day) filter (where events_span > 0), 'YYYY-MM-DD') as last_active_day
       from marked
      group by grouping sets ((owner_key, name_key), (day), ())`,
    [
      repositories.map((r) => r.ownerKey),
      repositories.map((r) => r.nameKey),
      los(plan.dayRanges, utcDate),
      his(plan.dayRanges, utcDate),
      los(plan.hourRanges, iso),
      his(plan.hourRanges, iso),
      los(plan.exactRanges, iso),
      his(plan.exactRanges, iso),
      iso(plan.previousStart),
      iso(plan.currentStart),
      iso(plan.now),
      iso(plan.lastWeekStart),
      iso(plan.thisWeekStart),
      utcDate(plan.previousStart),
    ],
  );
  return rows;
}
