-- A window edge's events within its hour counted from the hour's own row alone (issue 13).
-- Until now github_event_hours held per-minute counts (0013) and their running totals
-- (0020), and an edge inside a minute with events read up to 30 seconds of that minute's
-- events through gh-datapipe's index: about half of a workspace's edges did, and that
-- read was the largest part of the metrics statement (docs/scaling.md). Now each
-- repository-hour with events keeps the instants of its folded events, milliseconds into
-- the hour, sorted, one array per kind; the events of the hour before an edge are then
-- `width_bucket(edge offset - 1, instants)`, a binary search in a row of its own.
-- Milliseconds suffice to be exact: every edge is a whole millisecond, and an event at
-- t + 0.4 ms is before the edge t + 1 ms and not before t, as its floor t says.
-- The rows are ~4 bytes per event: narrower than the minute maps and their totals were.

-- Milliseconds of t after its UTC hour began, rounded down.
create function github_event_ms_into_hour(t timestamptz) returns integer
language sql immutable parallel safe as $$
  select floor(extract(epoch from (t at time zone 'UTC') - date_trunc('hour', t at time zone 'UTC'))
               * 1000)::integer
$$;

-- Two sorted arrays as one, sorted.
create function github_event_instants_merge(a integer[], b integer[]) returns integer[]
language sql immutable parallel safe as $$
  select case when cardinality(b) = 0 then a
              when cardinality(a) = 0 then b
              else (select array_agg(x order by x)
                      from (select unnest(a) union all select unnest(b)) u (x)) end
$$;

-- The sorted array a without one instance of each element of b (a multiset difference).
create function github_event_instants_remove(a integer[], b integer[]) returns integer[]
language sql immutable parallel safe as $$
  select case when cardinality(b) = 0 then a
              else (select coalesce(array_agg(x order by x), '{}')
                      from (select x, row_number() over (partition by x) as k
                              from unnest(a) as x) s
                     where k > (select count(*) from unnest(b) as y where y = s.x)) end
$$;

-- The fold (0013) with github_event_hours' new rows; the rest as it was.
create or replace function metrics_delta_apply() returns void language plpgsql as $$
begin
  insert into github_event_spellings as s (owner_key, name_key, repository_owner, repository_name)
  select distinct owner_key, name_key, repository_owner, repository_name
    from metrics_delta where sign > 0
   order by 1, 2, 3, 4
  on conflict do nothing;

  insert into github_event_days as d (owner_key, name_key, day, stars, forks, events)
  select owner_key, name_key, day,
         github_event_running(array_agg(hour), array_agg(stars)),
         github_event_running(array_agg(hour), array_agg(forks)),
         github_event_running(array_agg(hour), array_agg(events))
    from (select owner_key, name_key, (created_at at time zone 'UTC')::date as day,
                 extract(hour from created_at at time zone 'UTC')::integer as hour,
                 coalesce(sum(sign) filter (where event_type = 'WatchEvent'), 0)::integer as stars,
                 coalesce(sum(sign) filter (where event_type = 'ForkEvent'), 0)::integer as forks,
                 sum(sign)::integer as events
            from metrics_delta
           group by 1, 2, 3, 4) h
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (owner_key, name_key, day) do update
    set stars = github_event_add(d.stars, excluded.stars),
        forks = github_event_add(d.forks, excluded.forks),
        events = github_event_add(d.events, excluded.events);

  -- Each repository-hour's instants, sorted, by kind: the events added merged in.
  insert into github_event_hours as d (owner_key, name_key, hour, stars, forks, others)
  select owner_key, name_key, hour,
         coalesce(array_agg(ms order by ms) filter (where event_type = 'WatchEvent'), '{}'),
         coalesce(array_agg(ms order by ms) filter (where event_type = 'ForkEvent'), '{}'),
         coalesce(array_agg(ms order by ms)
                    filter (where event_type not in ('WatchEvent', 'ForkEvent')), '{}')
    from (select owner_key, name_key, event_type,
                 date_trunc('hour', created_at, 'UTC') as hour,
                 github_event_ms_into_hour(created_at) as ms
            from metrics_delta
           where sign > 0) m
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (owner_key, name_key, hour) do update
    set stars = github_event_instants_merge(d.stars, excluded.stars),
        forks = github_event_instants_merge(d.forks, excluded.forks),
        others = github_event_instants_merge(d.others, excluded.others);

  -- The events taken out (after those added: an update's new side is in by now), one
  -- instance of each; the days' running totals took the signed sums above.
  if exists (select 1 from metrics_delta where sign < 0) then
    update github_event_hours d
       set stars = github_event_instants_remove(d.stars, x.stars),
           forks = github_event_instants_remove(d.forks, x.forks),
           others = github_event_instants_remove(d.others, x.others)
      from (select owner_key, name_key, hour,
                   coalesce(array_agg(ms) filter (where event_type = 'WatchEvent'), '{}') as stars,
                   coalesce(array_agg(ms) filter (where event_type = 'ForkEvent'), '{}') as forks,
                   coalesce(array_agg(ms)
                              filter (where event_type not in ('WatchEvent', 'ForkEvent')),
                            '{}') as others
              from (select owner_key, name_key, event_type,
                           date_trunc('hour', created_at, 'UTC') as hour,
                           github_event_ms_into_hour(created_at) as ms
                      from metrics_delta
                     where sign < 0) m
             group by 1, 2, 3) x
     where d.owner_key = x.owner_key and d.name_key = x.name_key and d.hour = x.hour;
    delete from github_event_days d
     using (select distinct owner_key, name_key from metrics_delta where sign < 0) c
     where d.owner_key = c.owner_key and d.name_key = c.name_key and d.events[24] <= 0;
    delete from github_event_hours d
     using (select distinct owner_key, name_key from metrics_delta where sign < 0) c
     where d.owner_key = c.owner_key and d.name_key = c.name_key
       and d.stars = '{}' and d.forks = '{}' and d.others = '{}';
  end if;

  insert into github_event_repositories as r
    (owner_key, name_key, stars, forks, events, first_at, last_at, actor_removed_at)
  select o.owner_key, o.name_key, o.stars, o.forks, o.events, o.first_at, o.last_at,
         m.removed_at
    from (select owner_key, name_key,
                 coalesce(sum(sign) filter (where event_type = 'WatchEvent'), 0)::integer as stars,
                 coalesce(sum(sign) filter (where event_type = 'ForkEvent'), 0)::integer as forks,
                 sum(sign)::integer as events,
                 min(created_at) filter (where sign > 0) as first_at,
                 max(created_at) filter (where sign > 0) as last_at
            from metrics_delta
           group by 1, 2) o
    left join (select x.owner_key, x.name_key, max(x.created_at) as removed_at
                 from metrics_delta x
                 join github_event_actors a
                   on a.owner_key = x.owner_key and a.name_key = x.name_key
                  and a.actor_key = x.actor_key and x.created_at >= a.last_at
                where x.sign < 0
                  and not exists (
                        select 1 from metrics_delta n
                         where n.sign > 0 and n.event_id = x.event_id
                           and n.owner_key = x.owner_key and n.name_key = x.name_key
                           and n.actor_key = x.actor_key and n.created_at = x.created_at)
                group by 1, 2) m
      on m.owner_key = o.owner_key and m.name_key = o.name_key
   order by 1, 2
  on conflict (owner_key, name_key) do update
    set stars = r.stars + excluded.stars, forks = r.forks + excluded.forks,
        events = r.events + excluded.events,
        first_at = least(r.first_at, excluded.first_at),
        last_at = greatest(r.last_at, excluded.last_at),
        actor_removed_at = greatest(r.actor_removed_at, excluded.actor_removed_at);

  -- A removal may take a repository's first or last event: looked up again, through
  -- gh-datapipe's index, over every spelling (tail rows included: they only widen the range
  -- the metrics combine with the tail's own).
  if exists (select 1 from metrics_delta where sign < 0) then
    update github_event_repositories r
       set first_at = (select min(e.created_at) from github_event_spellings s
                         join github_events_cache e
                           on e.repository_owner = s.repository_owner
                          and e.repository_name = s.repository_name
                        where s.owner_key = r.owner_key and s.name_key = r.name_key),
           last_at = (select max(e.created_at) from github_event_spellings s
                        join github_events_cache e
                          on e.repository_owner = s.repository_owner
                         and e.repository_name = s.repository_name
                       where s.owner_key = r.owner_key and s.name_key = r.name_key)
      from (select distinct owner_key, name_key from metrics_delta where sign < 0) c
     where r.owner_key = c.owner_key and r.name_key = c.name_key;
  end if;

  insert into github_event_actors as a (owner_key, name_key, actor_key, last_at)
  select owner_key, name_key, actor_key, max(created_at)
    from metrics_delta
   where sign > 0 and actor_key is not null
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (owner_key, name_key, actor_key) do update
    set last_at = excluded.last_at
    where excluded.last_at > a.last_at;

  -- The workspaces holding these repositories: each actor's last event there moves
  -- forward, and the hour histogram with it (-1 at the old hour, +1 at the new).
  with seen as (
    select m.installation_id, x.actor_key, max(x.created_at) as last_at
      from metrics_delta x
      join metrics_workspace_members m on m.owner_key = x.owner_key and m.name_key = x.name_key
     where x.sign > 0 and x.actor_key is not null
     group by 1, 2
  ),
  moved as (
    insert into workspace_actor_last_seen as s (installation_id, actor_key, last_at)
    select installation_id, actor_key, last_at from seen order by 1, 2
    on conflict (installation_id, actor_key) do update
      set previous_at = s.last_at, last_at = excluded.last_at
      where excluded.last_at > s.last_at
    returning s.installation_id, s.previous_at, s.last_at
  )
  insert into workspace_actor_hours as h (installation_id, hour, actors)
  select installation_id, hour, sum(delta)::integer
    from (select installation_id, date_trunc('hour', last_at, 'UTC') as hour, 1 as delta
            from moved
          union all
          select installation_id, date_trunc('hour', previous_at, 'UTC'), -1
            from moved
           where previous_at is not null) d
   group by 1, 2
  having sum(delta) <> 0
   order by 1, 2
  on conflict (installation_id, hour) do update set actors = h.actors + excluded.actors;
end
$$;


-- The rows are rebuilt from the events folded so far, under the watermark's lock: a fold,
-- a delete or an update of gh-datapipe's rows waits until this migration has committed,
-- and every row below the watermark is in the rollups, none at or above it.
select folded_before from metrics_watermark for update;

drop table github_event_hours;
drop function github_event_minutes_before(jsonb);
drop function github_event_add_minutes(jsonb, jsonb);

create table github_event_hours (
  owner_key text not null,
  name_key text not null,
  hour timestamptz not null,
  stars integer[] not null,
  forks integer[] not null,
  -- Every other event type.
  others integer[] not null,
  primary key (owner_key, name_key, hour)
);

insert into github_event_hours (owner_key, name_key, hour, stars, forks, others)
select owner_key, name_key, hour,
       coalesce(array_agg(ms order by ms) filter (where event_type = 'WatchEvent'), '{}'),
       coalesce(array_agg(ms order by ms) filter (where event_type = 'ForkEvent'), '{}'),
       coalesce(array_agg(ms order by ms)
                  filter (where event_type not in ('WatchEvent', 'ForkEvent')), '{}')
  from (select lower(repository_owner) as owner_key, lower(repository_name) as name_key,
               event_type, date_trunc('hour', created_at, 'UTC') as hour,
               github_event_ms_into_hour(created_at) as ms
          from github_events_cache
         where inserted_xid < coalesce((select folded_before from metrics_watermark), '0')) e
 group by 1, 2, 3
 order by 1, 2, 3;
