-- Each repository-day carries the repository's totals of the days before it (issue 13), so
-- a window's full days are two of those totals apart: the metrics statement reads one day
-- row per repository and window edge, which it read already for the edge's own hours,
-- instead of summing the span's day rows (a third of that statement, docs/scaling.md).
-- `stars_before`, `forks_before` and `events_before` are the sums of day_stars, day_forks
-- and day_events over the same repository's earlier rows; `active_before` counts those
-- rows (every row has events: the fold deletes a day row that has none left). The fold
-- keeps them so for every row from the earliest day its delta touched, per repository.
-- A partial index holds the days that follow a run of empty days, the only ones the
-- longest-gap figure needs.

-- The rows are summed under the watermark's lock: a fold, a delete or an update of
-- gh-datapipe's rows waits until this migration has committed.
select folded_before from metrics_watermark for update;

alter table github_event_days
  add column stars_before bigint not null default 0,
  add column forks_before bigint not null default 0,
  add column events_before bigint not null default 0,
  add column active_before integer not null default 0;

update github_event_days d
   set stars_before = r.stars_before, forks_before = r.forks_before,
       events_before = r.events_before, active_before = r.active_before
  from (select owner_key, name_key, day,
               coalesce(sum(day_stars) over w, 0) as stars_before,
               coalesce(sum(day_forks) over w, 0) as forks_before,
               coalesce(sum(day_events) over w, 0) as events_before,
               count(*) over w as active_before
          from github_event_days
        window w as (partition by owner_key, name_key order by day
                     rows between unbounded preceding and 1 preceding)) r
 where d.owner_key = r.owner_key and d.name_key = r.name_key and d.day = r.day
   and r.active_before > 0;

create index github_event_days_gaps
  on github_event_days (owner_key, name_key, day) include (previous_day)
  where previous_day is null or previous_day < day - 1;

-- The fold's apply step (0013, 0022, 0023) keeps its name for its callers and gains the
-- running totals.
alter function metrics_delta_apply() rename to metrics_delta_apply_linked;

create function metrics_delta_apply() returns void language plpgsql as $$
begin
  perform metrics_delta_apply_linked();

  -- Per repository the delta touched, every row from its earliest touched day: the totals
  -- of the last row before that day, plus the running sums since.
  with touched as (
    select owner_key, name_key, min((created_at at time zone 'UTC')::date) as from_day
      from metrics_delta
     group by 1, 2
  ),
  base as (
    select t.owner_key, t.name_key, t.from_day,
           coalesce(b.stars_before + b.day_stars, 0) as stars,
           coalesce(b.forks_before + b.day_forks, 0) as forks,
           coalesce(b.events_before + b.day_events, 0) as events,
           coalesce(b.active_before + 1, 0) as active
      from touched t
      left join lateral (
        select d.stars_before, d.forks_before, d.events_before, d.active_before,
               d.day_stars, d.day_forks, d.day_events
          from github_event_days d
         where d.owner_key = t.owner_key and d.name_key = t.name_key and d.day < t.from_day
         order by d.day desc
         limit 1
      ) b on true
  ),
  running as (
    select d.owner_key, d.name_key, d.day,
           b.stars + coalesce(sum(d.day_stars) over w, 0) as stars_before,
           b.forks + coalesce(sum(d.day_forks) over w, 0) as forks_before,
           b.events + coalesce(sum(d.day_events) over w, 0) as events_before,
           b.active + count(*) over w as active_before
      from base b
      join github_event_days d
        on d.owner_key = b.owner_key and d.name_key = b.name_key and d.day >= b.from_day
    window w as (partition by d.owner_key, d.name_key order by d.day
                 rows between unbounded preceding and 1 preceding)
  )
  update github_event_days d
     set stars_before = r.stars_before, forks_before = r.forks_before,
         events_before = r.events_before, active_before = r.active_before
    from running r
   where d.owner_key = r.owner_key and d.name_key = r.name_key and d.day = r.day
     and (d.stars_before, d.forks_before, d.events_before, d.active_before)
         is distinct from (r.stars_before, r.forks_before, r.events_before, r.active_before);
end
$$;
