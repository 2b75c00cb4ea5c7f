/**
 * The star, fork and event counts of queryMetrics' statement as CTEs (`repos`, `tail` and
 * `wm` come from there). Parameters: $3–$7 the UTC dates of the edges P, C, LW, TW, N;
 * $8–$12 the instants P, C, N, LW, TW; $13–$17 GitHub's whole dates (contract §6); $19–$20
 * the edge recipe (split-window.ts); $21 the distinct edges; $22 the first date read.
 *
 * A count over [a, b) is the day totals of [day(a), day(b)) − W(a) + W(b), where W(t) are
 * the folded events of [UTC midnight before t, t). So the span's day rows are summed by
 * date range with no edge in sight, and the few edges (one row per repository and edge,
 * `edge_values`) are added or taken away afterwards. Stars and forks of a date GitHub's
 * figures cover count from github_daily_counts instead, by whole dates.
 */
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
const G_P = "$13::date";
const G_C = "$14::date";
const G_LW = "$15::date";
const G_TW = "$16::date";
const G_T = "$17::date";

/** Whether GitHub's figures cover the date `day` of repository `r` for `kind`. */
const covered = (kind: "stars" | "forks", day: string) =>
  `coalesce(${day} between r.${kind}_from and r.${kind}_to, false)`;

/** Sums of `column` over the span's full days of each window. */
const fullDays = (column: string) =>
  `sum(${column}) filter (where day >= ${FD_C} and day < ${FD_N}) as ${column}_current,
   sum(${column}) filter (where day >= ${FD_P} and day < ${FD_C}) as ${column}_previous,
   sum(${column}) filter (where day >= ${FD_TW} and day < ${FD_N}) as ${column}_this_week,
   sum(${column}) filter (where day >= ${FD_LW} and day < ${FD_TW}) as ${column}_last_week`;

/** W of `column` at each edge's day, per repository. */
const edgeSums = (column: string) =>
  [
    ["p", FD_P],
    ["c", FD_C],
    ["lw", FD_LW],
    ["tw", FD_TW],
    ["n", FD_N],
  ]
    .map(([edge, day]) => `sum(${column}) filter (where day = ${day}) as ${column}_${edge}`)
    .join(",\n");

/** A window's count: full days, plus W at its end, minus W at its start. */
const windowOf = (column: string, window: string, start: string, end: string) =>
  `coalesce(f.${column}_${window}, 0) + coalesce(x.${column}_${end}, 0) - coalesce(x.${column}_${start}, 0)`;

/** GitHub's figure of `kind` over the dates [from, to] (github_days holds covered dates only). */
const githubSum = (kind: "stars" | "forks", from: string, to: string) =>
  `sum(${kind}) filter (where day >= ${from} and day <= ${to})`;

/** The edge hour's folded events of `kind` before the edge: sorted instants, searched. */
const before = (kind: "stars" | "forks" | "others") =>
  `coalesce(width_bucket($20::int, h.${kind}), 0)`;

const at = (a: string, b: string) => `created_at >= ${a} and created_at < ${b}`;

/** The span's days strictly inside (day(P), day(N)): each has events in [P, N). */
const INNER = `day > ${FD_P} and day < ${FD_N} and events > 0`;

/**
 * The coverage figures' parts from the span's day rows, beside the counts. A day row links
 * the repository's previous day with events (migrations/0023), so the gap before each day
 * needs no ordering; the gap before the first of them is measured from day P here.
 */
const coverageParts = `count(*) filter (where ${INNER}) as inner_days,
              max(day - greatest(previous_day, ${FD_P} - 1) - 1) filter (where ${INNER}) as inner_gap,
              min(day) filter (where ${INNER}) as first_inner,
              max(day) filter (where ${INNER}) as last_inner`;

/**
 * Days with events in [P, N), the longest run of empty days before one of them (from the
 * day before P) and the last of them, from `coverageParts` (f) and the edge rows (x): day P
 * counts when it has events at or after P, day N when it has events before N. When day P
 * does not count, the first inner day's run starts the day before it.
 */
const coverageOf = (f: string, x: string) => {
  const pActive = `(coalesce(${x}.day_events_p, 0) - coalesce(${x}.events_p, 0) > 0)`;
  const nActive = `(coalesce(${x}.events_n, 0) > 0)`;
  const beforeN = `case when ${x}.previous_n > ${FD_P} then ${x}.previous_n
                        when ${x}.previous_n = ${FD_P} and ${pActive} then ${FD_P}
                        else ${FD_P} - 1 end`;
  return `(${f}.inner_days + ${pActive}::int + ${nActive}::int)::int as days_with_events,
              greatest(${f}.inner_gap,
                       case when not ${pActive} then ${f}.first_inner - ${FD_P} end,
                       case when ${nActive} then ${FD_N} - (${beforeN}) - 1 end,
                       case when ${pActive} then 0 end)::int as longest_gap_before,
              case when ${nActive} then ${FD_N}
                   when ${f}.last_inner is not null then ${f}.last_inner
                   when ${pActive} then ${FD_P} end as last_active`;
};

export const eventsSql = `edges as (
       select (e.at at time zone 'UTC')::date as day, date_trunc('hour', e.at, 'UTC') as hour
         from unnest($21::timestamptz[]) as e (at)
     ),
     edge_values as materialized (
       select r.position, g.day,
              case when ${covered("stars", "g.day")} then 0
                   else coalesce(d.stars[$19::int], 0) + ${before("stars")} end as stars,
              case when ${covered("forks", "g.day")} then 0
                   else coalesce(d.forks[$19::int], 0) + ${before("forks")} end as forks,
              coalesce(d.events[$19::int], 0)
                + ${before("stars")} + ${before("forks")} + ${before("others")} as events,
              d.day_events, d.previous_day
         from repos r
         cross join edges g
         -- One probe per repository and edge, whatever the plan (never a scan of its days).
         cross join lateral (
           select d.stars, d.forks, d.events, d.day_events, d.previous_day
             from github_event_days d
            where d.owner_key = r.owner_key and d.name_key = r.name_key and d.day = g.day
            limit 1
         ) d
         left join github_event_hours h
           on h.owner_key = r.owner_key and h.name_key = r.name_key and h.hour = g.hour
     ),
     span as materialized (
       select r.position, d.day,
              case when ${covered("stars", "d.day")} then 0 else d.day_stars end as stars,
              case when ${covered("forks", "d.day")} then 0 else d.day_forks end as forks,
              d.day_events as events, d.previous_day
         from repos r
         join github_event_days d
           on d.owner_key = r.owner_key and d.name_key = r.name_key
          and d.day >= $22::date and d.day <= ${FD_N}
     ),
     full_days as (
       select position, ${fullDays("stars")}, ${fullDays("forks")},
              sum(events) filter (where day >= ${FD_C} and day < ${FD_N}) as events_current,
              sum(events) filter (where day >= ${FD_P} and day < ${FD_C}) as events_previous,
              ${coverageParts}
         from span
        group by position
     ),
     edge_sums as (
       select position, ${edgeSums("stars")}, ${edgeSums("forks")}, ${edgeSums("events")},
              sum(day_events) filter (where day = ${FD_P}) as day_events_p,
              max(previous_day) filter (where day = ${FD_N}) as previous_n
         from edge_values
        group by position
     ),
     github_days as materialized (
       select r.position, g.day,
              case when ${covered("stars", "g.day")} then g.stars else 0 end as stars,
              case when ${covered("forks", "g.day")} then g.forks else 0 end as forks
         from repos r
         join github_daily_counts g
           on g.owner_key = r.owner_key and g.name_key = r.name_key
          and g.day >= least(${G_P}, ${G_LW}) and g.day <= ${G_T}
        where r.stars_from is not null or r.forks_from is not null
     ),
     github_sums as (
       select position,
              ${githubSum("stars", G_C, G_T)} as stars_current,
              ${githubSum("stars", G_P, `${G_C} - 1`)} as stars_previous,
              ${githubSum("stars", G_TW, G_T)} as stars_this_week,
              ${githubSum("stars", G_LW, `${G_TW} - 1`)} as stars_last_week,
              ${githubSum("forks", G_C, G_T)} as forks_current,
              ${githubSum("forks", G_P, `${G_C} - 1`)} as forks_previous,
              ${githubSum("forks", G_TW, G_T)} as forks_this_week,
              ${githubSum("forks", G_LW, `${G_TW} - 1`)} as forks_last_week
         from github_days
        group by position
     ),
     tail_span as (
       select t.position, t.created_at, (t.created_at at time zone 'UTC')::date as day,
              t.event_type = 'WatchEvent'
                and not ${covered("stars", "(t.created_at at time zone 'UTC')::date")} as s,
              t.event_type = 'ForkEvent'
                and not ${covered("forks", "(t.created_at at time zone 'UTC')::date")} as f
         from tail t
         join repos r on r.position = t.position
        where t.created_at >= least(${P}, ${LW}) and t.created_at < ${N}
     ),
     tail_sums as (
       select position,
              count(*) filter (where s and ${at(C, N)}) as stars_current,
              count(*) filter (where s and ${at(P, C)}) as stars_previous,
              count(*) filter (where s and ${at(TW, N)}) as stars_this_week,
              count(*) filter (where s and ${at(LW, TW)}) as stars_last_week,
              count(*) filter (where f and ${at(C, N)}) as forks_current,
              count(*) filter (where f and ${at(P, C)}) as forks_previous,
              count(*) filter (where f and ${at(TW, N)}) as forks_this_week,
              count(*) filter (where f and ${at(LW, TW)}) as forks_last_week,
              count(*) filter (where ${at(C, N)}) as events_current,
              count(*) filter (where ${at(P, C)}) as events_previous
         from tail_span
        group by position
     ),
     counts as (
       select r.position,
              (${windowOf("stars", "current", "c", "n")} + coalesce(g.stars_current, 0) + coalesce(t.stars_current, 0))::int as stars_current,
              (${windowOf("stars", "previous", "p", "c")} + coalesce(g.stars_previous, 0) + coalesce(t.stars_previous, 0))::int as stars_previous,
              (${windowOf("stars", "this_week", "tw", "n")} + coalesce(g.stars_this_week, 0) + coalesce(t.stars_this_week, 0))::int as stars_this_week,
              (${windowOf("stars", "last_week", "lw", "tw")} + coalesce(g.stars_last_week, 0) + coalesce(t.stars_last_week, 0))::int as stars_last_week,
              (${windowOf("forks", "current", "c", "n")} + coalesce(g.forks_current, 0) + coalesce(t.forks_current, 0))::int as forks_current,
              (${windowOf("forks", "previous", "p", "c")} + coalesce(g.forks_previous, 0) + coalesce(t.forks_previous, 0))::int as forks_previous,
              (${windowOf("forks", "this_week", "tw", "n")} + coalesce(g.forks_this_week, 0) + coalesce(t.forks_this_week, 0))::int as forks_this_week,
              (${windowOf("forks", "last_week", "lw", "tw")} + coalesce(g.forks_last_week, 0) + coalesce(t.forks_last_week, 0))::int as forks_last_week,
              (${windowOf("events", "current", "c", "n")} + coalesce(t.events_current, 0))::int as events_current,
              (${windowOf("events", "previous", "p", "c")} + coalesce(t.events_previous, 0))::int as events_previous
         from repos r
         left join full_days f on f.position = r.position
         left join edge_sums x on x.position = r.position
         left join github_sums g on g.position = r.position
         left join tail_sums t on t.position = r.position
     ),
     folded_activity as materialized (
       select f.position, ${coverageOf("f", "x")}
         from full_days f
         left join edge_sums x on x.position = f.position
     ),
     tail_days as (
       select position, day, lag(day) over (partition by position order by day) as previous
         from (select distinct position, day from tail_span where ${at(P, N)}) t
     ),
     -- Repositories with an unfolded event on a day before their last folded active day.
     tail_behind as (
       select distinct t.position
         from tail_days t
         join folded_activity a on a.position = t.position
        where t.day < a.last_active
     ),
     activity_days as (
       select position, days_with_events, longest_gap_before, last_active
         from folded_activity a
        where not exists (select 1 from tail_days t where t.position = a.position)
       union all
       -- Unfolded events on or after the last folded active day (the usual tail: the latest
       -- events): their new days appended, each gap measured from the day before it.
       select t.position,
              (coalesce(a.days_with_events, 0)
                + count(*) filter (where a.last_active is null or t.day > a.last_active))::int,
              greatest(a.longest_gap_before,
                       max(t.day - coalesce(greatest(t.previous, a.last_active), ${FD_P} - 1) - 1)
                         filter (where a.last_active is null or t.day > a.last_active))::int,
              greatest(a.last_active, max(t.day))
         from tail_days t
         left join folded_activity a on a.position = t.position
        where not exists (select 1 from tail_behind b where b.position = t.position)
        group by t.position, a.days_with_events, a.longest_gap_before, a.last_active
       union all
       -- Unfolded events between folded active days: the repository's days merged and
       -- ordered (rare, and then not even started).
       select * from (
         select position, count(*)::int,
                max(day - coalesce(previous, ${FD_P} - 1) - 1)::int, max(day)
           from (select position, day,
                        lag(day) over (partition by position order by day) as previous
                   from (select s.position, s.day
                           from span s
                           join tail_behind t on t.position = s.position
                           left join edge_sums x on x.position = s.position
                          where s.day >= ${FD_P}
                            and case when s.day = ${FD_N} then coalesce(x.events_n, 0)
                                     when s.day = ${FD_P} then s.events - coalesce(x.events_p, 0)
                                     else s.events end > 0
                         union
                         select t.position, t.day
                           from tail_days t
                           join tail_behind b on b.position = t.position) d) a
          group by position
       ) merged
        where exists (select 1 from tail_behind)
     ),
     timeline as (
       select to_char(day, 'YYYY-MM-DD') as day, sum(stars)::int as stars, sum(forks)::int as forks
         from (select day, stars, forks from span where day >= ${FD_C} and day < ${FD_N}
               union all
               select day, -stars, -forks from edge_values where day = ${FD_C}
               union all
               select day, stars, forks from edge_values where day = ${FD_N}
               union all
               select day, stars, forks from github_days where day >= ${G_C}
               union all
               select day, s::int, f::int from tail_span where ${at(C, N)}) d
        group by day
     )`;
