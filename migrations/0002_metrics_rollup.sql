-- Metrics read github_events_cache through two rollups kept current by statement-level
-- triggers, so a workspace's metrics cost follows repositories x days, not events.
--
-- Why rollups and not only an index (bench/metrics.ts, 50 repositories, 30-day windows):
-- an index-only plan over (lower(owner), lower(name), created_at) still visits every event
-- of both windows, 422 ms at 1M events and 1,624 ms at 5M, while the rollups read one row
-- per repository, day (or cut hour) and event type: 135 ms and 120 ms. Inserts pay for it:
-- 49k rows/s without the trigger, 22k rows/s with it (figures in src/metrics/compute-metrics.ts). The triggers run inside the writer's own statement, so
-- every committed row is in the rollups the moment it is visible: gh-datapipe writes here
-- directly and needs to know nothing about them.
--
-- Windows end at any instant, not at midnight: whole days come from github_event_days, whole
-- hours of the days cut by a window edge from github_event_hours, and the minutes of the
-- hour cut by an edge from github_events_cache itself through the index below.

-- Exact reads of the cut hours, first/last event and unique actors. The raw columns are
-- included because Postgres only plans an index-only scan over an expression index when
-- every column the query names is in the index.
create index if not exists github_events_cache_repo_key_created
  on github_events_cache (lower(repository_owner), lower(repository_name), created_at)
  include (repository_owner, repository_name, event_type, actor_login);

-- owner_key/name_key are lower-cased: gh-datapipe may write `Octo-Org/Repo` where GitHub
-- says `octo-org/repo`, and both are one repository.
create table github_event_days (
  owner_key text not null,
  name_key text not null,
  day date not null,
  event_type text not null,
  events integer not null,
  primary key (owner_key, name_key, day, event_type)
);

create table github_event_hours (
  owner_key text not null,
  name_key text not null,
  hour timestamptz not null,
  event_type text not null,
  events integer not null,
  primary key (owner_key, name_key, hour, event_type)
);

-- One aggregate upsert per statement over the transition tables: a 1,000-row insert from
-- gh-datapipe costs two grouped upserts, not 2,000 row-level trigger calls. Rows skipped by
-- `on conflict do nothing` are not in the transition table, so duplicates count once.
-- Upserts run in key order so that two writers touching the same days lock them in the
-- same order. Transition tables are visible only to the trigger function's own statements,
-- hence one function per event rather than a shared helper.
create function github_events_rollup_insert() returns trigger language plpgsql as $$
begin
  insert into github_event_days as d (owner_key, name_key, day, event_type, events)
  select lower(repository_owner), lower(repository_name),
         (created_at at time zone 'UTC')::date, event_type, count(*)::integer
    from rollup_new_rows
   group by 1, 2, 3, 4
   order by 1, 2, 3, 4
  on conflict (owner_key, name_key, day, event_type)
    do update set events = d.events + excluded.events;
  insert into github_event_hours as h (owner_key, name_key, hour, event_type, events)
  select lower(repository_owner), lower(repository_name),
         date_trunc('hour', created_at, 'UTC'), event_type, count(*)::integer
    from rollup_new_rows
   group by 1, 2, 3, 4
   order by 1, 2, 3, 4
  on conflict (owner_key, name_key, hour, event_type)
    do update set events = h.events + excluded.events;
  return null;
end
$$;

-- Deletes and updates are rare (gh-datapipe appends); they apply signed deltas and drop
-- the buckets that fall to zero.
create function github_events_rollup_change() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' then
    create temporary table if not exists rollup_delta (
      owner_key text, name_key text, created_at timestamptz, event_type text, sign integer
    ) on commit drop;
    insert into rollup_delta
    select lower(repository_owner), lower(repository_name), created_at, event_type, -1
      from rollup_old_rows
    union all
    select lower(repository_owner), lower(repository_name), created_at, event_type, 1
      from rollup_new_rows;
  else
    create temporary table if not exists rollup_delta (
      owner_key text, name_key text, created_at timestamptz, event_type text, sign integer
    ) on commit drop;
    insert into rollup_delta
    select lower(repository_owner), lower(repository_name), created_at, event_type, -1
      from rollup_old_rows;
  end if;
  insert into github_event_days as d (owner_key, name_key, day, event_type, events)
  select owner_key, name_key, (created_at at time zone 'UTC')::date, event_type,
         sum(sign)::integer
    from rollup_delta
   group by 1, 2, 3, 4
   order by 1, 2, 3, 4
  on conflict (owner_key, name_key, day, event_type)
    do update set events = d.events + excluded.events;
  insert into github_event_hours as h (owner_key, name_key, hour, event_type, events)
  select owner_key, name_key, date_trunc('hour', created_at, 'UTC'), event_type,
         sum(sign)::integer
    from rollup_delta
   group by 1, 2, 3, 4
   order by 1, 2, 3, 4
  on conflict (owner_key, name_key, hour, event_type)
    do update set events = h.events + excluded.events;
  delete from github_event_days d
   using (select distinct owner_key, name_key from rollup_delta) c
   where d.owner_key = c.owner_key and d.name_key = c.name_key and d.events <= 0;
  delete from github_event_hours h
   using (select distinct owner_key, name_key from rollup_delta) c
   where h.owner_key = c.owner_key and h.name_key = c.name_key and h.events <= 0;
  delete from rollup_delta;
  return null;
end
$$;

-- `delete`, not `truncate`: a truncate naming the rollups too (as a test reset does) would
-- otherwise fail on the table it is already truncating.
create function github_events_rollup_truncate() returns trigger language plpgsql as $$
begin
  delete from github_event_days;
  delete from github_event_hours;
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
  for each statement execute function github_events_rollup_change();
create trigger github_events_rollup_delete
  after delete on github_events_cache
  referencing old table as rollup_old_rows
  for each statement execute function github_events_rollup_change();
create trigger github_events_rollup_truncate
  after truncate on github_events_cache
  for each statement execute function github_events_rollup_truncate();

-- Rows already there (the shared database may hold gh-datapipe's history). The triggers
-- above already hold a lock that makes writers wait for this transaction, so no row is
-- counted twice or missed.
insert into github_event_days (owner_key, name_key, day, event_type, events)
select lower(repository_owner), lower(repository_name),
       (created_at at time zone 'UTC')::date, event_type, count(*)::integer
  from github_events_cache
 group by 1, 2, 3, 4;
insert into github_event_hours (owner_key, name_key, hour, event_type, events)
select lower(repository_owner), lower(repository_name),
       date_trunc('hour', created_at, 'UTC'), event_type, count(*)::integer
  from github_events_cache
 group by 1, 2, 3, 4;
