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

/**
 * Every (repository, range) pair as four parallel arrays. Handing Postgres the product
 * itself (rather than repositories and ranges to join) gives it one outer relation, so it
 * plans one index range scan per pair; with two, it hashed whole rollups (600 ms at 1M).
 */
function reads(
  repositories: { ownerKey: string; nameKey: string }[],
  ranges: Range[],
  format: (t: number) => string,
): [string[], string[], string[], string[]] {
  const owners: string[] = [];
  const names: string[] = [];
  const los: string[] = [];
  const his: string[] = [];
  for (const r of repositories) {
    for (const [lo, hi] of ranges) {
      owners.push(r.ownerKey);
      names.push(r.nameKey);
      los.push(format(lo));
      his.push(format(hi));
    }
  }
  return [owners, names, los, his];
}

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
    `with day_reads (owner_key, name_key, lo, hi) as (
       select * from unnest($1::text[], $2::text[], $3::date[], $4::date[])
     ),
     hour_reads (owner_key, name_key, lo, hi) as (
       select * from unnest($5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[])
     ),
     exact_reads (owner_key, name_key, lo, hi) as (
       select * from unnest($14::text[], $15::text[], $16::timestamptz[], $17::timestamptz[])
     ),
     buckets (owner_key, name_key, event_type, at, n) as (
       select d.owner_key, d.name_key, d.event_type, d.day::timestamp at time zone 'UTC', d.events
         from day_reads x
         join github_event_days d
           on d.owner_key = x.owner_key and d.name_key = x.name_key
          and d.day >= x.lo and d.day < x.hi
       union all
       select h.owner_key, h.name_key, h.event_type, h.hour, h.events
         from hour_reads x
         join github_event_hours h
           on h.owner_key = x.owner_key and h.name_key = x.name_key
          and h.hour >= x.lo and h.hour < x.hi
       union all
       select x.owner_key, x.name_key, e.event_type, e.created_at, 1
         from exact_reads x
         join github_events_cache e
           on lower(e.repository_owner) = x.owner_key and lower(e.repository_name) = x.name_key
          and e.created_at >= x.lo and e.created_at < x.hi
     ),
     per_day as (
       select owner_key, name_key, (at at time zone 'UTC')::date as day,
              coalesce(sum(n) filter (where event_type = 'WatchEvent' and at >= $10::timestamptz), 0) as stars_current,
              coalesce(sum(n) filter (where event_type = 'WatchEvent' and at >= $9::timestamptz and at < $10::timestamptz), 0) as stars_previous,
              coalesce(sum(n) filter (where event_type = 'WatchEvent' and at >= $12::timestamptz), 0) as stars_this_week,
              coalesce(sum(n) filter (where event_type = 'WatchEvent' and at >= $11::timestamptz and at < $12::timestamptz), 0) as stars_last_week,
              coalesce(sum(n) filter (where event_type = 'ForkEvent' and at >= $10::timestamptz), 0) as forks_current,
              coalesce(sum(n) filter (where event_type = 'ForkEvent' and at >= $9::timestamptz and at < $10::timestamptz), 0) as forks_previous,
              coalesce(sum(n) filter (where event_type = 'ForkEvent' and at >= $12::timestamptz), 0) as forks_this_week,
              coalesce(sum(n) filter (where event_type = 'ForkEvent' and at >= $11::timestamptz and at < $12::timestamptz), 0) as forks_last_week,
              coalesce(sum(n) filter (where at >= $10::timestamptz), 0) as events_current,
              coalesce(sum(n) filter (where at >= $9::timestamptz and at < $10::timestamptz), 0) as events_previous,
              coalesce(sum(n) filter (where at >= $9::timestamptz), 0) as events_span
         from buckets
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
            max(day - coalesce(previous_active_day, $13::date - 1) - 1)
              filter (where events_span > 0) as longest_gap_before,
            to_char(max(day) filter (where events_span > 0), 'YYYY-MM-DD') as last_active_day
       from marked
      group by grouping sets ((owner_key, name_key), (day), ())`,
    [
      ...reads(repositories, plan.dayRanges, utcDate),
      ...reads(repositories, plan.hourRanges, iso),
      iso(plan.previousStart),
      iso(plan.currentStart),
      iso(plan.lastWeekStart),
      iso(plan.thisWeekStart),
      utcDate(plan.previousStart),
      ...reads(repositories, plan.exactRanges, iso),
    ],
  );
  return rows;
}
