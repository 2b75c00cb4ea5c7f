/**
 * The star, fork and event counts of queryMetrics' statement as CTEs (`repos`, `tail` and
 * `wm` come from there). Parameters: $3–$7 the UTC dates of the edges P, C, LW, TW, N;
 * $8–$12 the instants P, C, N, LW, TW; $13–$17 GitHub's whole dates (contract §6); $19–$20
 * the edge recipe (split-window.ts).
 *
 * T(t), the folded events before the instant t, is the totals of the days before day(t)
 * (each day row carries them, migrations/0025) plus W(t), the events of [UTC midnight
 * before t, t) from that day's running totals by hour and the instants of t's hour
 * (0022). A count over [a, b) is T(b) − T(a): per repository one day row and one hour row
 * per edge (`edge_values`, one row per repository), whatever the window's length. Stars
 * and forks of a date GitHub's figures cover count from github_daily_counts instead, by
 * whole dates: the covered days' events come off T through the day totals at the covered
 * range's bounds.
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

/** The window edges by name, with the parameters of their UTC date and of their instant. */
const EDGES = [
  ["p", FD_P, P],
  ["c", FD_C, C],
  ["lw", FD_LW, LW],
  ["tw", FD_TW, TW],
  ["n", FD_N, N],
] as const;
type Edge = (typeof EDGES)[number][0];
const dayOf = (edge: Edge) => EDGES.find(([e]) => e === edge)![1];

/**
 * T(edge) of `kind` for the repository of edge_values x, bounds b and repos r: the days before
 * the edge's day, less GitHub's covered days among them, plus W(edge).
 */
const totalAt = (kind: "stars" | "forks" | "events", edge: Edge) => {
  const days = `coalesce(x.${kind}_r_${edge}, 0)`;
  const w = `coalesce(x.${kind}_${edge}, 0)`;
  if (kind === "events") return `(${days} + ${w})`;
  const day = dayOf(edge);
  const coveredDays = `case when r.${kind}_from < ${day}
                 then case when r.${kind}_to + 1 < ${day} then coalesce(b.${kind}_r_to, 0)
                           else ${days} end
                      - coalesce(b.${kind}_r_from, 0)
                 else 0 end`;
  return `(${days} - ${coveredDays} + ${w})`;
};

/** A window's count: T at its end minus T at its start. */
const windowOf = (kind: "stars" | "forks" | "events", start: Edge, end: Edge) =>
  `${totalAt(kind, end)} - ${totalAt(kind, start)}`;

/** GitHub's figure of `kind` over the dates [from, to] (github_days holds covered dates only). */
const githubSum = (kind: "stars" | "forks", from: string, to: string) =>
  `sum(${kind}) filter (where day >= ${from} and day <= ${to})`;

/** The edge hour's folded events of `kind` before the edge: sorted instants, searched. */
const before = (kind: "stars" | "forks" | "others") =>
  `coalesce(width_bucket($20::int, h.${kind}), 0)`;

const at = (a: string, b: string) => `created_at >= ${a} and created_at < ${b}`;

/** A day row's totals of the days before `day`: the row is `day`'s own or the last before it. */
const daysBefore = (kind: "stars" | "forks" | "events", day: string) =>
  `d.${kind}_before + case when d.day < ${day} then d.day_${kind} else 0 end`;

/**
 * Days with events in [P, N), the longest run of empty days before one of them (from the
 * day before P) and the last of them, from the edge rows (x): day P counts when it has
 * events at or after P, day N when it has events before N, the days between when they have
 * a row. When day P does not count but has a row, the first day after it starts a run from
 * the day before P.
 *
 * The longest run before a day strictly inside (day(P), day(N)): when every one of those
 * days has events, only the first can follow a run (day P empty, one day); otherwise the
 * days after a run of empty days are read (the partial index of 0025), for that
 * repository only.
 */
const coverageOf = (x: string) => {
  const pActive = `(coalesce(${x}.day_events_p, 0) - coalesce(${x}.events_p, 0) > 0)`;
  const nActive = `(coalesce(${x}.events_n, 0) > 0)`;
  const innerDays = `(coalesce(${x}.active_r_n, 0) - coalesce(${x}.active_through_p, 0))`;
  const beforeN = `case when ${x}.last_before_n > ${FD_P} then ${x}.last_before_n
                        when ${x}.last_before_n = ${FD_P} and ${pActive} then ${FD_P}
                        else ${FD_P} - 1 end`;
  const firstInner = `(select min(d.day) from github_event_days d
                        where d.owner_key = r.owner_key and d.name_key = r.name_key
                          and d.day > ${FD_P} and d.day < ${FD_N})`;
  const innerGap = `case when ${innerDays} = ${FD_N} - ${FD_P} - 1
                         then case when ${x}.row_day_p = ${FD_P} then 0 else 1 end
                         else (select coalesce(max(d.day - greatest(d.previous_day, ${FD_P} - 1) - 1), 0)
                                 from github_event_days d
                                where d.owner_key = r.owner_key and d.name_key = r.name_key
                                  and d.day > ${FD_P} and d.day < ${FD_N}
                                  and (d.previous_day is null or d.previous_day < d.day - 1))
                    end`;
  return `(${innerDays} + ${pActive}::int + ${nActive}::int)::int as days_with_events,
              greatest(case when ${innerDays} > 0 then ${innerGap} end,
                       case when not ${pActive} and ${x}.day_events_p is not null
                            then ${firstInner} - ${FD_P} end,
                       case when ${nActive} then ${FD_N} - (${beforeN}) - 1 end,
                       case when ${pActive} then 0 end)::int as longest_gap_before,
              case when ${nActive} then ${FD_N}
                   when ${x}.last_before_n > ${FD_P} then ${x}.last_before_n
                   when ${pActive} then ${FD_P} end as last_active`;
};

/**
 * One edge's values for repository r, as columns `<value>_<edge>`: its day row (the edge's
 * day, or the last before it: one probe, never a scan of its days) and, when the edge hour
 * has events, that hour's row. Null when the repository has no day up to the edge.
 */
const edgeProbe = (edge: Edge, day: string, instant: string) => {
  const hour = `date_trunc('hour', ${instant}, 'UTC')`;
  const only = (edges: Edge[], column: string) => (edges.includes(edge) ? [column] : []);
  const columns = [
    `case when d.day < ${day} or ${covered("stars", day)} then 0
                   else coalesce(d.stars[$19::int], 0) + ${before("stars")} end as stars_${edge}`,
    `case when d.day < ${day} or ${covered("forks", day)} then 0
                   else coalesce(d.forks[$19::int], 0) + ${before("forks")} end as forks_${edge}`,
    `case when d.day < ${day} then 0
                   else coalesce(d.events[$19::int], 0)
                          + ${before("stars")} + ${before("forks")} + ${before("others")} end
                as events_${edge}`,
    `${daysBefore("stars", day)} as stars_r_${edge}`,
    `${daysBefore("forks", day)} as forks_r_${edge}`,
    `${daysBefore("events", day)} as events_r_${edge}`,
    ...only(["p", "c", "n"], `d.day as row_day_${edge}`),
    ...only(["p"], `case when d.day = ${day} then d.day_events end as day_events_p`),
    ...only(["p"], "d.active_before + 1 as active_through_p"),
    ...only(["n"], `d.active_before + case when d.day < ${day} then 1 else 0 end as active_r_n`),
    ...only(["n"], `case when d.day < ${day} then d.day else d.previous_day end as last_before_n`),
  ];
  const selectList = columns.join(",\n                  ");
  return `left join lateral (
           select ${selectList}
             from (select d.day, d.stars, d.forks, d.events, d.day_stars, d.day_forks,
                          d.day_events, d.stars_before, d.forks_before, d.events_before,
                          d.active_before, d.previous_day
                     from github_event_days d
                    where d.owner_key = r.owner_key and d.name_key = r.name_key and d.day <= ${day}
                    order by d.day desc
                    limit 1) d
             -- Only when the edge hour has events, as the day row's running totals say: kept a
             -- subquery (offset 0), the condition on d gates the probe instead of filtering it.
             left join lateral (
               select h.stars, h.forks, h.others
                 from github_event_hours h
                where h.owner_key = r.owner_key and h.name_key = r.name_key and h.hour = ${hour}
                  and d.day = ${day} and d.events[$19::int + 1] > coalesce(d.events[$19::int], 0)
               offset 0
             ) h on true
         ) x_${edge} on true`;
};

const edgeColumns = EDGES.map(([edge]) => `x_${edge}.*`).join(", ");
const edgeProbes = EDGES.map(([edge, day, instant]) => edgeProbe(edge, day, instant)).join(
  "\n         ",
);

export const eventsSql = `edge_values as materialized (
       select r.position, ${edgeColumns}
         from repos r
         ${edgeProbes}
     ),
     -- The totals of the days before each bound of the dates GitHub's figures cover.
     bounds as (
       select r.position,
              max(${daysBefore("stars", "b.day")}) filter (where b.bound = 'stars_from') as stars_r_from,
              max(${daysBefore("stars", "b.day")}) filter (where b.bound = 'stars_to') as stars_r_to,
              max(${daysBefore("forks", "b.day")}) filter (where b.bound = 'forks_from') as forks_r_from,
              max(${daysBefore("forks", "b.day")}) filter (where b.bound = 'forks_to') as forks_r_to
         from repos r
         cross join lateral (values ('stars_from', r.stars_from), ('stars_to', r.stars_to + 1),
                                    ('forks_from', r.forks_from), ('forks_to', r.forks_to + 1))
           as b (bound, day)
         cross join lateral (
           select d.day, d.day_stars, d.day_forks, d.stars_before, d.forks_before
             from github_event_days d
            where d.owner_key = r.owner_key and d.name_key = r.name_key and d.day <= b.day
            order by d.day desc
            limit 1
         ) d
        where r.stars_from is not null or r.forks_from is not null
        group by r.position
     ),
     -- The current window's day rows, for the timeline.
     window_days as (
       select r.position, d.day,
              case when ${covered("stars", "d.day")} then 0 else d.day_stars end as stars,
              case when ${covered("forks", "d.day")} then 0 else d.day_forks end as forks
         from repos r
         join github_event_days d
           on d.owner_key = r.owner_key and d.name_key = r.name_key
          and d.day >= ${FD_C} and d.day < ${FD_N}
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
              (${windowOf("stars", "c", "n")} + coalesce(g.stars_current, 0) + coalesce(t.stars_current, 0))::int as stars_current,
              (${windowOf("stars", "p", "c")} + coalesce(g.stars_previous, 0) + coalesce(t.stars_previous, 0))::int as stars_previous,
              (${windowOf("stars", "tw", "n")} + coalesce(g.stars_this_week, 0) + coalesce(t.stars_this_week, 0))::int as stars_this_week,
              (${windowOf("stars", "lw", "tw")} + coalesce(g.stars_last_week, 0) + coalesce(t.stars_last_week, 0))::int as stars_last_week,
              (${windowOf("forks", "c", "n")} + coalesce(g.forks_current, 0) + coalesce(t.forks_current, 0))::int as forks_current,
              (${windowOf("forks", "p", "c")} + coalesce(g.forks_previous, 0) + coalesce(t.forks_previous, 0))::int as forks_previous,
              (${windowOf("forks", "tw", "n")} + coalesce(g.forks_this_week, 0) + coalesce(t.forks_this_week, 0))::int as forks_this_week,
              (${windowOf("forks", "lw", "tw")} + coalesce(g.forks_last_week, 0) + coalesce(t.forks_last_week, 0))::int as forks_last_week,
              (${windowOf("events", "c", "n")} + coalesce(t.events_current, 0))::int as events_current,
              (${windowOf("events", "p", "c")} + coalesce(t.events_previous, 0))::int as events_previous
         from repos r
         left join edge_values x on x.position = r.position
         left join bounds b on b.position = r.position
         left join github_sums g on g.position = r.position
         left join tail_sums t on t.position = r.position
     ),
     folded_activity as materialized (
       select x.position, ${coverageOf("x")}
         from edge_values x
         join repos r on r.position = x.position
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
                   from (select t.position, d.day
                           from tail_behind t
                           join repos r on r.position = t.position
                           join github_event_days d
                             on d.owner_key = r.owner_key and d.name_key = r.name_key
                            and d.day >= ${FD_P} and d.day <= ${FD_N}
                           left join edge_values x on x.position = t.position
                          where case when d.day = ${FD_N} then coalesce(x.events_n, 0)
                                     when d.day = ${FD_P} then d.day_events - coalesce(x.events_p, 0)
                                     else d.day_events end > 0
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
         from (select day, stars, forks from window_days
               union all
               select ${FD_C}, -stars_c, -forks_c from edge_values where row_day_c is not null
               union all
               select ${FD_N}, stars_n, forks_n from edge_values where row_day_n is not null
               union all
               select day, stars, forks from github_days where day >= ${G_C}
               union all
               select day, s::int, f::int from tail_span where ${at(C, N)}) d
        group by day
     )`;
