-- Each repository-day knows the repository's day with events before it (issue 13), so the
-- coverage figures (days with events, the longest gap, the last active day) come from one
-- pass over the span's day rows, summed with the counts, instead of a sort and a window over
-- them: that sort and window were about a quarter of the metrics statement
-- (docs/scaling.md). `previous_day` is the latest earlier day of the same repository whose
-- row has events, or null; the fold keeps it so for every day its delta touched and the day
-- after each, and the span's index holds it.

-- The rows are linked under the watermark's lock: a fold, a delete or an update of
-- gh-datapipe's rows waits until this migration has committed.
select folded_before from metrics_watermark for update;

alter table github_event_days add column previous_day date;

update github_event_days d
   set previous_day = l.previous_day
  from (select owner_key, name_key, day,
               lag(day) over (partition by owner_key, name_key order by day) as previous_day
          from github_event_days
         where day_events > 0) l
 where d.owner_key = l.owner_key and d.name_key = l.name_key and d.day = l.day
   and l.previous_day is not null;

create index github_event_days_span
  on github_event_days (owner_key, name_key, day)
  include (day_stars, day_forks, day_events, previous_day);
drop index github_event_days_totals;

-- The fold's apply step (0013, 0022) keeps its name for its callers and gains the links.
alter function metrics_delta_apply() rename to metrics_delta_apply_rollups;

create function metrics_delta_apply() returns void language plpgsql as $$
begin
  perform metrics_delta_apply_rollups();

  -- A day the delta touched may have gained or lost its row, which moves its own link and
  -- that of the next day with events.
  with touched as (
    select distinct owner_key, name_key, (created_at at time zone 'UTC')::date as day
      from metrics_delta
  ),
  relinked as (
    select owner_key, name_key, day from touched
    union
    select t.owner_key, t.name_key, n.day
      from touched t
      cross join lateral (
        select d.day from github_event_days d
         where d.owner_key = t.owner_key and d.name_key = t.name_key
           and d.day > t.day and d.day_events > 0
         order by d.day
         limit 1
      ) n
  )
  update github_event_days d
     set previous_day = p.day
    from relinked x
    cross join lateral (
      select max(e.day) as day from github_event_days e
       where e.owner_key = x.owner_key and e.name_key = x.name_key
         and e.day < x.day and e.day_events > 0
    ) p
   where d.owner_key = x.owner_key and d.name_key = x.name_key and d.day = x.day
     and d.previous_day is distinct from p.day;
end
$$;
