-- Metrics rollups, kept current by statement-level triggers on github_events_cache, so a
-- workspace's metrics cost follows repositories x days, not events (0002's covering index
-- serves the minutes cut by a window edge and the event-by-event unique-actor count).
-- Figures behind each choice: src/metrics/compute-metrics.ts (from bench/metrics.ts).
--
-- 1. One row per repository and UTC day holding, for stars, forks and all events, 24
--    running totals: [i] = events of the day's first i hours. A window edge falls inside a
--    day; the events before it in that day are one array element plus at most 30 minutes
--    of events, so an edge costs one row already read, not ~23 hourly rows.
-- 2. github_event_repositories: all-time counts, first and last event per repository.
-- 3. github_event_actors: when each actor last acted on each repository. The metrics window
--    always ends at `now`, so an actor is active in [now − days, now) iff its last event is
--    at or after now − days, provided the repository has no event dated at or after `now`
--    and no removed event could have been an actor's last (actor_removed_at, below). The
--    unique-actor count then reads one row per active (repository, actor), not every event.
--
-- The triggers still run inside the writer's own statement, one grouped upsert per rollup
-- per statement, in key order (two writers touching the same keys lock them in one order);
-- rows skipped by `on conflict do nothing` are not in the transition tables, so a duplicate
-- event_id counts once.

-- 24 running totals from (hour of day, count) pairs: [i] = counts of hours below i.
create function github_event_running(hours integer[], counts integer[]) returns integer[]
language sql immutable parallel safe as $$
  select array_agg(coalesce((select sum(u.n) from unnest(hours, counts) as u (h, n)
                              where u.h < i), 0)::integer order by i)
    from generate_series(1, 24) as i
$$;

create function github_event_add(a integer[], b integer[]) returns integer[]
language sql immutable parallel safe as $$
  select array_agg(x + y order by i) from unnest(a, b) with ordinality as u (x, y, i)
$$;

-- owner_key/name_key/actor_key are lower-cased: gh-datapipe may write `Octo-Org/Repo` where
-- GitHub says `octo-org/repo`, and both are one repository (logins likewise).
create table github_event_days (
  owner_key text not null,
  name_key text not null,
  day date not null,
  stars integer[] not null,
  forks integer[] not null,
  events integer[] not null,
  primary key (owner_key, name_key, day)
);

create table github_event_repositories (
  owner_key text not null,
  name_key text not null,
  stars integer not null,
  forks integer not null,
  events integer not null,
  first_at timestamptz,
  last_at timestamptz,
  -- The latest created_at of a removed (deleted or updated-away) event that was, when
  -- removed, its actor's last seen here: github_event_actors may then hold a last_at no
  -- event has any more, so its answers are exact only for windows starting after this.
  actor_removed_at timestamptz,
  primary key (owner_key, name_key)
);

create table github_event_actors (
  owner_key text not null,
  name_key text not null,
  actor_key text not null,
  last_at timestamptz not null,
  primary key (owner_key, name_key, actor_key)
);

-- The actors of a repository active since an instant: a range scan that follows them,
-- not the repository's all-time actors; index-only through the included key.
create index github_event_actors_recent
  on github_event_actors (owner_key, name_key, last_at) include (actor_key);

create function github_events_rollup_insert() returns trigger language plpgsql as $$
begin
  insert into github_event_days as d (owner_key, name_key, day, stars, forks, events)
  select owner_key, name_key, day,
         github_event_running(array_agg(hour), array_agg(stars)),
         github_event_running(array_agg(hour), array_agg(forks)),
         github_event_running(array_agg(hour), array_agg(events))
    from (select lower(repository_owner) as owner_key, lower(repository_name) as name_key,
                 (created_at at time zone 'UTC')::date as day,
                 extract(hour from created_at at time zone 'UTC')::integer as hour,
                 (count(*) filter (where event_type = 'WatchEvent'))::integer as stars,
                 (count(*) filter (where event_type = 'ForkEvent'))::integer as forks,
                 count(*)::integer as events
            from rollup_new_rows
           group by 1, 2, 3, 4) h
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (owner_key, name_key, day) do update
    set stars = github_event_add(d.stars, excluded.stars),
        forks = github_event_add(d.forks, excluded.forks),
        events = github_event_add(d.events, excluded.events);
  insert into github_event_repositories as r
    (owner_key, name_key, stars, forks, events, first_at, last_at)
  select lower(repository_owner), lower(repository_name),
         (count(*) filter (where event_type = 'WatchEvent'))::integer,
         (count(*) filter (where event_type = 'ForkEvent'))::integer,
         count(*)::integer, min(created_at), max(created_at)
    from rollup_new_rows
   group by 1, 2
   order by 1, 2
  on conflict (owner_key, name_key) do update
    set stars = r.stars + excluded.stars, forks = r.forks + excluded.forks,
        events = r.events + excluded.events,
        first_at = least(r.first_at, excluded.first_at),
        last_at = greatest(r.last_at, excluded.last_at);
  insert into github_event_actors as a (owner_key, name_key, actor_key, last_at)
  select lower(repository_owner), lower(repository_name), lower(actor_login), max(created_at)
    from rollup_new_rows
   where actor_login is not null
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (owner_key, name_key, actor_key) do update
    set last_at = excluded.last_at
    where excluded.last_at > a.last_at;
  return null;
end
$$;

-- Deletes and updates are rare (gh-datapipe appends): the counts take signed deltas, days
-- that fall to zero go, first and last event are looked up again. A removed event that was
-- its actor's latest here marks the repository (actor_removed_at), and the metrics count
-- that repository's actors event by event for windows starting at or before the mark.
create function github_events_rollup_delete() returns trigger language plpgsql as $$
begin
  insert into github_event_days as d (owner_key, name_key, day, stars, forks, events)
  select owner_key, name_key, day,
         github_event_running(array_agg(hour), array_agg(stars)),
         github_event_running(array_agg(hour), array_agg(forks)),
         github_event_running(array_agg(hour), array_agg(events))
    from (select lower(repository_owner) as owner_key, lower(repository_name) as name_key,
                 (created_at at time zone 'UTC')::date as day,
                 extract(hour from created_at at time zone 'UTC')::integer as hour,
                 -(count(*) filter (where event_type = 'WatchEvent'))::integer as stars,
                 -(count(*) filter (where event_type = 'ForkEvent'))::integer as forks,
                 -count(*)::integer as events
            from rollup_old_rows
           group by 1, 2, 3, 4) h
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (owner_key, name_key, day) do update
    set stars = github_event_add(d.stars, excluded.stars),
        forks = github_event_add(d.forks, excluded.forks),
        events = github_event_add(d.events, excluded.events);
  delete from github_event_days d
   using (select distinct lower(repository_owner) as owner_key, lower(repository_name) as name_key
            from rollup_old_rows) c
   where d.owner_key = c.owner_key and d.name_key = c.name_key and d.events[24] <= 0;
  insert into github_event_repositories as r
    (owner_key, name_key, stars, forks, events, actor_removed_at)
  select o.owner_key, o.name_key, o.stars, o.forks, o.events, m.removed_at
    from (select lower(repository_owner) as owner_key, lower(repository_name) as name_key,
                 -(count(*) filter (where event_type = 'WatchEvent'))::integer as stars,
                 -(count(*) filter (where event_type = 'ForkEvent'))::integer as forks,
                 -count(*)::integer as events
            from rollup_old_rows
           group by 1, 2) o
    left join (select lower(x.repository_owner) as owner_key, lower(x.repository_name) as name_key,
                      max(x.created_at) as removed_at
                 from rollup_old_rows x
                 join github_event_actors a
                   on a.owner_key = lower(x.repository_owner)
                  and a.name_key = lower(x.repository_name)
                  and a.actor_key = lower(x.actor_login)
                  and x.created_at >= a.last_at
                group by 1, 2) m
      on m.owner_key = o.owner_key and m.name_key = o.name_key
   order by 1, 2
  on conflict (owner_key, name_key) do update
    set stars = r.stars + excluded.stars, forks = r.forks + excluded.forks,
        events = r.events + excluded.events,
        actor_removed_at = greatest(r.actor_removed_at, excluded.actor_removed_at);
  update github_event_repositories r
     set first_at = (select min(e.created_at) from github_events_cache e
                      where lower(e.repository_owner) = r.owner_key
                        and lower(e.repository_name) = r.name_key),
         last_at = (select max(e.created_at) from github_events_cache e
                     where lower(e.repository_owner) = r.owner_key
                       and lower(e.repository_name) = r.name_key)
    from (select distinct lower(repository_owner) as owner_key, lower(repository_name) as name_key
            from rollup_old_rows) c
   where r.owner_key = c.owner_key and r.name_key = c.name_key;
  return null;
end
$$;

-- An update is a delete of the old rows and an insert of the new, except that an old row
-- whose repository, actor and instant the same event keeps does not mark its repository.
create function github_events_rollup_update() returns trigger language plpgsql as $$
begin
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
            from (select lower(repository_owner) as owner_key, lower(repository_name) as name_key,
                         created_at, event_type, -1 as sign
                    from rollup_old_rows
                  union all
                  select lower(repository_owner), lower(repository_name), created_at, event_type, 1
                    from rollup_new_rows) delta
           group by 1, 2, 3, 4) h
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (owner_key, name_key, day) do update
    set stars = github_event_add(d.stars, excluded.stars),
        forks = github_event_add(d.forks, excluded.forks),
        events = github_event_add(d.events, excluded.events);
  delete from github_event_days d
   using (select lower(repository_owner) as owner_key, lower(repository_name) as name_key
            from rollup_old_rows
          union
          select lower(repository_owner), lower(repository_name) from rollup_new_rows) c
   where d.owner_key = c.owner_key and d.name_key = c.name_key and d.events[24] <= 0;
  insert into github_event_repositories as r
    (owner_key, name_key, stars, forks, events, actor_removed_at)
  select o.owner_key, o.name_key, o.stars, o.forks, o.events, m.removed_at
    from (select owner_key, name_key,
                 coalesce(sum(sign) filter (where event_type = 'WatchEvent'), 0)::integer as stars,
                 coalesce(sum(sign) filter (where event_type = 'ForkEvent'), 0)::integer as forks,
                 sum(sign)::integer as events
            from (select lower(repository_owner) as owner_key, lower(repository_name) as name_key,
                         event_type, -1 as sign
                    from rollup_old_rows
                  union all
                  select lower(repository_owner), lower(repository_name), event_type, 1
                    from rollup_new_rows) delta
           group by 1, 2) o
    left join (select lower(x.repository_owner) as owner_key, lower(x.repository_name) as name_key,
                      max(x.created_at) as removed_at
                 from rollup_old_rows x
                 join github_event_actors a
                   on a.owner_key = lower(x.repository_owner)
                  and a.name_key = lower(x.repository_name)
                  and a.actor_key = lower(x.actor_login)
                  and x.created_at >= a.last_at
                where not exists (
                        select 1 from rollup_new_rows n
                         where n.event_id = x.event_id
                           and lower(n.repository_owner) = lower(x.repository_owner)
                           and lower(n.repository_name) = lower(x.repository_name)
                           and lower(n.actor_login) = lower(x.actor_login)
                           and n.created_at = x.created_at)
                group by 1, 2) m
      on m.owner_key = o.owner_key and m.name_key = o.name_key
   order by 1, 2
  on conflict (owner_key, name_key) do update
    set stars = r.stars + excluded.stars, forks = r.forks + excluded.forks,
        events = r.events + excluded.events,
        actor_removed_at = greatest(r.actor_removed_at, excluded.actor_removed_at);
  update github_event_repositories r
     set first_at = (select min(e.created_at) from github_events_cache e
                      where lower(e.repository_owner) = r.owner_key
                        and lower(e.repository_name) = r.name_key),
         last_at = (select max(e.created_at) from github_events_cache e
                     where lower(e.repository_owner) = r.owner_key
                       and lower(e.repository_name) = r.name_key)
    from (select lower(repository_owner) as owner_key, lower(repository_name) as name_key
            from rollup_old_rows
          union
          select lower(repository_owner), lower(repository_name) from rollup_new_rows) c
   where r.owner_key = c.owner_key and r.name_key = c.name_key;
  insert into github_event_actors as a (owner_key, name_key, actor_key, last_at)
  select lower(repository_owner), lower(repository_name), lower(actor_login), max(created_at)
    from rollup_new_rows
   where actor_login is not null
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (owner_key, name_key, actor_key) do update
    set last_at = excluded.last_at
    where excluded.last_at > a.last_at;
  return null;
end
$$;

-- `delete`, not `truncate`: a truncate naming the rollups too (as a test reset does) would
-- otherwise fail on the table it is already truncating.
create function github_events_rollup_truncate() returns trigger language plpgsql as $$
begin
  delete from github_event_days;
  delete from github_event_repositories;
  delete from github_event_actors;
  return null;
end
$$;

-- A trigger with transition tables may name only one event, hence one trigger per event.
create trigger github_events_rollup_insert
  after insert on github_events_cache
  referencing new table as rollup_new_rows
  for each statement execute function github_events_rollup_insert();
create trigger github_events_rollup_update
  after update on github_events_cache
  referencing old table as rollup_old_rows new table as rollup_new_rows
  for each statement execute function github_events_rollup_update();
create trigger github_events_rollup_delete
  after delete on github_events_cache
  referencing old table as rollup_old_rows
  for each statement execute function github_events_rollup_delete();
create trigger github_events_rollup_truncate
  after truncate on github_events_cache
  for each statement execute function github_events_rollup_truncate();

-- Rows already there. The triggers above already hold a lock that makes writers wait for
-- this transaction, so no row is counted twice or missed.
insert into github_event_days (owner_key, name_key, day, stars, forks, events)
select owner_key, name_key, day,
       github_event_running(array_agg(hour), array_agg(stars)),
       github_event_running(array_agg(hour), array_agg(forks)),
       github_event_running(array_agg(hour), array_agg(events))
  from (select lower(repository_owner) as owner_key, lower(repository_name) as name_key,
               (created_at at time zone 'UTC')::date as day,
               extract(hour from created_at at time zone 'UTC')::integer as hour,
               (count(*) filter (where event_type = 'WatchEvent'))::integer as stars,
               (count(*) filter (where event_type = 'ForkEvent'))::integer as forks,
               count(*)::integer as events
          from github_events_cache
         group by 1, 2, 3, 4) h
 group by 1, 2, 3;
insert into github_event_repositories (owner_key, name_key, stars, forks, events, first_at, last_at)
select lower(repository_owner), lower(repository_name),
       (count(*) filter (where event_type = 'WatchEvent'))::integer,
       (count(*) filter (where event_type = 'ForkEvent'))::integer,
       count(*)::integer, min(created_at), max(created_at)
  from github_events_cache
 group by 1, 2;
insert into github_event_actors (owner_key, name_key, actor_key, last_at)
select lower(repository_owner), lower(repository_name), lower(actor_login), max(created_at)
  from github_events_cache
 where actor_login is not null
 group by 1, 2, 3;
