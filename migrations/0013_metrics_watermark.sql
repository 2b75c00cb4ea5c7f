-- Metrics storage that costs gh-datapipe's inserts nothing of ours but one cheap column
-- (issue 13). Figures behind each choice: src/metrics/compute-metrics.ts and
-- docs/scaling.md, from bench/metrics.ts.
--
-- Until now 0005/0006's triggers ran inside gh-datapipe's own INSERT statements (92k rows/s
-- without them, 28k with), and two expression indexes of ours on github_events_cache cost
-- its inserts as much again. Now:
--
-- 1. github_events_cache.inserted_xid: the inserting transaction's id, a column default
--    (no trigger) with a btree that only ever grows at its right edge: measured within a few
--    percent of a bare insert. Every row whose inserted_xid is below the watermark
--    (metrics_watermark.folded_before) is in the rollups; the rows at or above it are the
--    "tail", read at query time through that btree and added exactly. The fold
--    (metrics_fold, run in the background by src/metrics/maintain-metrics.ts and before an
--    answer when the tail is big) moves the watermark up to the oldest transaction still
--    running (pg_snapshot_xmin): every transaction below it has ended, so a row can never
--    commit below the watermark after it moved. A transaction-id watermark rather than an
--    insertion sequence because a sequence number is taken before its row commits: a fold
--    could pass a number whose row commits later, and that row would be lost.
-- 2. Deletes and updates (rare: gh-datapipe appends) keep statement-level AFTER triggers
--    with transition tables that adjust the rollups for the rows already folded; they take
--    the watermark row's lock, so a fold and a delete take turns. Only inserts are on
--    gh-datapipe's hot path.
-- 3. The expression indexes on lower(owner), lower(name) (0002, 0006) go. The rollups are
--    keyed lower-cased; the events themselves are reached through gh-datapipe's own index
--    (repository_owner, repository_name, created_at) with every spelling of the repository
--    seen (github_event_spellings, kept by the fold; the tail's spellings are read with it).
-- 4. Unique actors per workspace (0006's tables) follow the workspace's repositories as
--    metrics_workspace_members lists them. A repository added, removed or renamed changes
--    workspace_repositories only; metrics_reconcile_members (background) brings the actor
--    rollup to the new membership in O(that repository's actors), outside any webhook's
--    transaction. Until then the metrics see the mismatch and count the slower exact way.

-- Rows already there carry this migration's transaction id (a stable default is evaluated
-- once for them: no table rewrite); 0005/0006's triggers have counted every one of them.
alter table github_events_cache
  add column if not exists inserted_xid xid8 not null default pg_current_xact_id();
create index if not exists github_events_cache_inserted_xid
  on github_events_cache (inserted_xid);

create table metrics_watermark (
  id boolean primary key default true check (id),
  folded_before xid8 not null
);
insert into metrics_watermark (folded_before)
values ((pg_current_xact_id()::text::bigint + 1)::text::xid8);

drop trigger github_events_rollup_insert on github_events_cache;
drop trigger github_events_rollup_update on github_events_cache;
drop trigger github_events_rollup_delete on github_events_cache;
drop trigger github_events_rollup_truncate on github_events_cache;
drop trigger github_events_workspace_actors_insert on github_events_cache;
drop trigger github_events_workspace_actors_update on github_events_cache;
drop trigger github_events_workspace_actors_truncate on github_events_cache;
drop trigger workspace_repositories_actors_insert on workspace_repositories;
drop trigger workspace_repositories_actors_delete on workspace_repositories;
drop trigger workspace_repositories_actors_update on workspace_repositories;
drop trigger workspace_repositories_actors_truncate on workspace_repositories;
drop function github_events_rollup_insert();
drop function github_events_rollup_update();
drop function github_events_rollup_delete();
drop function github_events_rollup_truncate();
drop function workspace_actors_events();
drop function workspace_actors_repositories_insert();
drop function workspace_actors_repositories_delete();
drop function workspace_actors_repositories_update();
drop function workspace_actors_clear();
drop function workspace_actors_merge(bigint[], text[], text[]);
drop function workspace_actors_rebuild(bigint[], text[], text[]);
drop function workspace_actors_lock_repositories(text[], text[]);
drop function workspace_actors_lock_workspaces(bigint[]);
drop index github_events_cache_repo_actor_created;
drop index github_events_cache_repo_key_created;

-- Per repository and UTC hour with events: the events of each minute that had any
-- ({"minute": count}, zeros left out). A window edge then costs its day row's hour total,
-- this row's minutes before it and at most 30 seconds of events, read through gh-datapipe's
-- index. Sparse maps rather than 0005's running-total arrays: building 60 running totals per
-- repository-hour made folding 5× slower, and only the ~5 edge hours per repository are
-- ever summed.
create table github_event_hours (
  owner_key text not null,
  name_key text not null,
  hour timestamptz not null,
  stars jsonb not null,
  forks jsonb not null,
  events jsonb not null,
  primary key (owner_key, name_key, hour)
);

-- Every spelling gh-datapipe used for a repository (`Octo-Org/Repo` for `octo-org/repo`).
create table github_event_spellings (
  owner_key text not null,
  name_key text not null,
  repository_owner text not null,
  repository_name text not null,
  primary key (owner_key, name_key, repository_owner, repository_name)
);

-- The repositories each workspace's actor rollup (workspace_actor_last_seen/_hours) holds.
create table metrics_workspace_members (
  installation_id bigint not null,
  owner_key text not null,
  name_key text not null,
  primary key (installation_id, owner_key, name_key)
);
create index metrics_workspace_members_repo on metrics_workspace_members (owner_key, name_key);

-- An actor's repositories: a repository leaving a workspace looks its actors up elsewhere.
create index github_event_actors_actor on github_event_actors (actor_key);

-- Two minute maps added key by key; minutes that fall to zero go.
create function github_event_add_minutes(a jsonb, b jsonb) returns jsonb
language sql immutable parallel safe as $$
  select coalesce(jsonb_object_agg(k, n) filter (where n <> 0), '{}'::jsonb)
    from (select k, sum(v::integer) as n
            from (select * from jsonb_each_text(a) union all select * from jsonb_each_text(b)) u (k, v)
           group by k) s
$$;

-- Signed changes to the rollups, one row per event: +1 folded in (or the new side of an
-- update), -1 taken out. One session-private table serves the fold and the triggers.
create function metrics_delta_begin() returns void language plpgsql as $$
begin
  if to_regclass('pg_temp.metrics_delta') is not null then
    delete from metrics_delta;
    return;
  end if;
  create temp table metrics_delta (
    sign integer not null,
    event_id text not null,
    owner_key text not null,
    name_key text not null,
    repository_owner text not null,
    repository_name text not null,
    event_type text not null,
    actor_key text,
    created_at timestamptz not null
  ) on commit delete rows;
end
$$;

-- Applies metrics_delta to every rollup. `mark_removed`: -1 rows that were their actor's
-- latest in a repository mark it (actor_removed_at, see 0005), except those whose +1 twin
-- (same event, repository, actor and instant) says nothing moved.
create function metrics_delta_apply() returns void language plpgsql as $$
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

  insert into github_event_hours as d (owner_key, name_key, hour, stars, forks, events)
  select owner_key, name_key, hour,
         coalesce(jsonb_object_agg(minute, stars) filter (where stars <> 0), '{}'::jsonb),
         coalesce(jsonb_object_agg(minute, forks) filter (where forks <> 0), '{}'::jsonb),
         coalesce(jsonb_object_agg(minute, events) filter (where events <> 0), '{}'::jsonb)
    from (select owner_key, name_key, date_trunc('hour', created_at, 'UTC') as hour,
                 extract(minute from created_at at time zone 'UTC')::integer as minute,
                 coalesce(sum(sign) filter (where event_type = 'WatchEvent'), 0)::integer as stars,
                 coalesce(sum(sign) filter (where event_type = 'ForkEvent'), 0)::integer as forks,
                 sum(sign)::integer as events
            from metrics_delta
           group by 1, 2, 3, 4) m
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (owner_key, name_key, hour) do update
    set stars = github_event_add_minutes(d.stars, excluded.stars),
        forks = github_event_add_minutes(d.forks, excluded.forks),
        events = github_event_add_minutes(d.events, excluded.events);

  if exists (select 1 from metrics_delta where sign < 0) then
    delete from github_event_days d
     using (select distinct owner_key, name_key from metrics_delta where sign < 0) c
     where d.owner_key = c.owner_key and d.name_key = c.name_key and d.events[24] <= 0;
    delete from github_event_hours d
     using (select distinct owner_key, name_key from metrics_delta where sign < 0) c
     where d.owner_key = c.owner_key and d.name_key = c.name_key and d.events = '{}'::jsonb;
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

-- Folds the committed rows between the watermark and the oldest running transaction into
-- the rollups and moves the watermark there. Returns the rows folded; 0 when another fold
-- (or a delete) holds the watermark, or nothing is new. The horizon is taken before any
-- write of this transaction, so its own id is not in it.
create function metrics_fold() returns bigint language plpgsql as $$
declare
  snap pg_snapshot := pg_current_snapshot();
  horizon xid8;
  mark xid8;
  folded bigint;
begin
  -- The oldest transaction of the snapshot still running. Transaction ids are
  -- cluster-wide: one known to run in another database (another app's long transaction on a
  -- shared server) cannot write these rows and does not hold the fold back; one that cannot
  -- be told apart (pg_stat_activity hides it from this role) does. A transaction that ended
  -- after the snapshot is visible to the statements below, which take theirs later.
  select min(x) into horizon
    from pg_snapshot_xip(snap) as x
   where not exists (select 1 from pg_stat_activity a
                      where a.backend_xid::text::bigint = x::text::bigint % 4294967296
                        and a.datname <> current_database())
     and not exists (select 1 from pg_prepared_xacts p
                      where p.transaction::text::bigint = x::text::bigint % 4294967296
                        and p.database <> current_database());
  horizon := coalesce(horizon, pg_snapshot_xmax(snap));
  -- A reset that emptied every table (tests) leaves no row: everything is then the tail.
  if not exists (select 1 from metrics_watermark) then
    insert into metrics_watermark (folded_before) values ('0') on conflict do nothing;
  end if;
  select folded_before into mark from metrics_watermark for update skip locked;
  if not found or mark >= horizon then
    return 0;
  end if;
  perform metrics_delta_begin();
  insert into metrics_delta
  select 1, event_id, lower(repository_owner), lower(repository_name), repository_owner,
         repository_name, event_type, lower(actor_login), created_at
    from github_events_cache
   where inserted_xid >= mark and inserted_xid < horizon;
  get diagnostics folded = row_count;
  if folded > 0 then
    analyze metrics_delta;
    perform metrics_delta_apply();
    delete from metrics_delta;
  end if;
  update metrics_watermark set folded_before = horizon;
  return folded;
end
$$;

create function metrics_events_delete() returns trigger language plpgsql as $$
declare
  mark xid8;
begin
  select coalesce(max(folded_before), '0') into mark
    from (select folded_before from metrics_watermark for update) w;
  perform metrics_delta_begin();
  insert into metrics_delta
  select -1, event_id, lower(repository_owner), lower(repository_name), repository_owner,
         repository_name, event_type, lower(actor_login), created_at
    from metrics_old_rows
   where inserted_xid < mark;
  if found then
    perform metrics_delta_apply();
    delete from metrics_delta;
  end if;
  return null;
end
$$;

create function metrics_events_update() returns trigger language plpgsql as $$
declare
  mark xid8;
begin
  select coalesce(max(folded_before), '0') into mark
    from (select folded_before from metrics_watermark for update) w;
  perform metrics_delta_begin();
  insert into metrics_delta
  select -1, event_id, lower(repository_owner), lower(repository_name), repository_owner,
         repository_name, event_type, lower(actor_login), created_at
    from metrics_old_rows
   where inserted_xid < mark
  union all
  select 1, event_id, lower(repository_owner), lower(repository_name), repository_owner,
         repository_name, event_type, lower(actor_login), created_at
    from metrics_new_rows
   where inserted_xid < mark;
  if found then
    perform metrics_delta_apply();
    delete from metrics_delta;
  end if;
  return null;
end
$$;

-- `delete`, not `truncate`: a truncate naming these tables too (as a test reset does) would
-- otherwise fail on the table it is already truncating.
create function metrics_events_truncate() returns trigger language plpgsql as $$
begin
  delete from github_event_days;
  delete from github_event_hours;
  delete from github_event_repositories;
  delete from github_event_actors;
  delete from github_event_spellings;
  delete from workspace_actor_last_seen;
  delete from workspace_actor_hours;
  return null;
end
$$;

create trigger metrics_events_delete
  after delete on github_events_cache
  referencing old table as metrics_old_rows
  for each statement execute function metrics_events_delete();
create trigger metrics_events_update
  after update on github_events_cache
  referencing old table as metrics_old_rows new table as metrics_new_rows
  for each statement execute function metrics_events_update();
create trigger metrics_events_truncate
  after truncate on github_events_cache
  for each statement execute function metrics_events_truncate();

-- Brings each workspace's actor rollup to the repositories workspace_repositories lists
-- now: a repository gone takes its actors out (each actor's last event looked up again in
-- the workspace's other repositories, only where this one held it), a repository new
-- merges its actors in. Cost: the changed repositories' actors. Returns the changes made;
-- 0 when a fold or a delete holds the watermark (the next round takes them).
create function metrics_reconcile_members() returns integer language plpgsql as $$
declare
  changes integer;
begin
  if not exists (select 1 from metrics_watermark) then
    insert into metrics_watermark (folded_before) values ('0') on conflict do nothing;
  end if;
  perform 1 from metrics_watermark for update skip locked;
  if not found then
    return 0;
  end if;
  if to_regclass('pg_temp.metrics_member_changes') is null then
    create temp table metrics_member_changes (
      installation_id bigint not null,
      owner_key text not null,
      name_key text not null,
      added boolean not null
    ) on commit delete rows;
  end if;
  delete from metrics_member_changes;
  insert into metrics_member_changes
  select coalesce(w.installation_id, m.installation_id), coalesce(w.owner_key, m.owner_key),
         coalesce(w.name_key, m.name_key), m.installation_id is null
    from (select distinct installation_id, lower(owner) as owner_key, lower(name) as name_key
            from workspace_repositories) w
    full join metrics_workspace_members m
      on m.installation_id = w.installation_id and m.owner_key = w.owner_key
     and m.name_key = w.name_key
   where w.installation_id is null or m.installation_id is null;
  get diagnostics changes = row_count;
  if changes = 0 then
    return 0;
  end if;

  delete from metrics_workspace_members m
   using metrics_member_changes c
   where not c.added and m.installation_id = c.installation_id
     and m.owner_key = c.owner_key and m.name_key = c.name_key;
  -- Actors whose last event in the workspace was in a repository that left: their last
  -- event in the repositories that stay (none: the actor leaves the workspace).
  with affected as (
    select s.installation_id, s.actor_key, s.last_at as old_at,
           (select max(o.last_at)
              from github_event_actors o
              join metrics_workspace_members m
                on m.installation_id = s.installation_id
               and m.owner_key = o.owner_key and m.name_key = o.name_key
             where o.actor_key = s.actor_key) as new_at
      from (select c.installation_id, a.actor_key, max(a.last_at) as held_at
              from metrics_member_changes c
              join github_event_actors a on a.owner_key = c.owner_key and a.name_key = c.name_key
             where not c.added
             group by 1, 2) r
      join workspace_actor_last_seen s
        on s.installation_id = r.installation_id and s.actor_key = r.actor_key
       and s.last_at <= r.held_at
  ),
  moved as (
    select * from affected where new_at is distinct from old_at
  ),
  gone as (
    delete from workspace_actor_last_seen s
     using moved x
     where x.new_at is null and s.installation_id = x.installation_id
       and s.actor_key = x.actor_key
  ),
  kept as (
    update workspace_actor_last_seen s
       set last_at = x.new_at, previous_at = x.old_at
      from moved x
     where x.new_at is not null and s.installation_id = x.installation_id
       and s.actor_key = x.actor_key
  )
  insert into workspace_actor_hours as h (installation_id, hour, actors)
  select installation_id, hour, sum(delta)::integer
    from (select installation_id, date_trunc('hour', new_at, 'UTC') as hour, 1 as delta
            from moved where new_at is not null
          union all
          select installation_id, date_trunc('hour', old_at, 'UTC'), -1 from moved) d
   group by 1, 2
  having sum(delta) <> 0
   order by 1, 2
  on conflict (installation_id, hour) do update set actors = h.actors + excluded.actors;

  insert into metrics_workspace_members (installation_id, owner_key, name_key)
  select installation_id, owner_key, name_key from metrics_member_changes where added
   order by 1, 2, 3;
  with seen as (
    select c.installation_id, a.actor_key, max(a.last_at) as last_at
      from metrics_member_changes c
      join github_event_actors a on a.owner_key = c.owner_key and a.name_key = c.name_key
     where c.added
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
  delete from workspace_actor_hours where actors = 0
     and installation_id in (select installation_id from metrics_member_changes);
  return changes;
end
$$;

-- What exists now, built under this migration's lock on github_events_cache (no insert can
-- slip between): the rollups 0005/0006 kept hold every row, the new ones are built here.
insert into github_event_hours (owner_key, name_key, hour, stars, forks, events)
select owner_key, name_key, hour,
       coalesce(jsonb_object_agg(minute, stars) filter (where stars <> 0), '{}'::jsonb),
       coalesce(jsonb_object_agg(minute, forks) filter (where forks <> 0), '{}'::jsonb),
       jsonb_object_agg(minute, events)
  from (select lower(repository_owner) as owner_key, lower(repository_name) as name_key,
               date_trunc('hour', created_at, 'UTC') as hour,
               extract(minute from created_at at time zone 'UTC')::integer as minute,
               (count(*) filter (where event_type = 'WatchEvent'))::integer as stars,
               (count(*) filter (where event_type = 'ForkEvent'))::integer as forks,
               count(*)::integer as events
          from github_events_cache
         group by 1, 2, 3, 4) m
 group by 1, 2, 3;
insert into github_event_spellings (owner_key, name_key, repository_owner, repository_name)
select distinct lower(repository_owner), lower(repository_name), repository_owner,
       repository_name
  from github_events_cache;
insert into metrics_workspace_members (installation_id, owner_key, name_key)
select distinct installation_id, lower(owner), lower(name) from workspace_repositories;

-- The rows not folded yet: read at query time, through the inserted_xid btree.
create function github_events_tail() returns setof github_events_cache
language sql stable as $$
  select e.* from github_events_cache e
   where e.inserted_xid >= coalesce((select folded_before from metrics_watermark), '0')
$$;

-- One repository's events (owner and name in any case) from an instant on, through
-- gh-datapipe's index: every spelling folded so far, and the tail's. For the engine's count
-- after a job and the dashboard, which 0002's expression index served before.
create function github_events_of_repository(owner text, name text, since timestamptz)
returns setof github_events_cache language sql stable as $$
  select e.*
    from (select s.repository_owner, s.repository_name from github_event_spellings s
           where s.owner_key = lower(owner) and s.name_key = lower(name)
          union
          select t.repository_owner, t.repository_name from github_events_tail() t
           where lower(t.repository_owner) = lower(owner)
             and lower(t.repository_name) = lower(name)) s
    join github_events_cache e
      on e.repository_owner = s.repository_owner and e.repository_name = s.repository_name
   where e.created_at >= since
$$;

-- The figures the metrics use (contract §5), as 0009's reference view defines them, from the
-- rollups: day totals of the folded events plus the tail's, then GitHub's days where its
-- figures cover them.
drop view repository_daily_counts;
create view repository_daily_counts as
with repositories as (
  select distinct on (lower(owner), lower(name))
         owner, name, lower(owner) as owner_key, lower(name) as name_key
    from workspace_repositories
   order by lower(owner), lower(name), added_at desc
),
event_days as (
  select owner_key, name_key, day, sum(stars)::integer as stars, sum(forks)::integer as forks
    from (select d.owner_key, d.name_key, d.day, d.stars[24] as stars, d.forks[24] as forks
            from github_event_days d
           where d.stars[24] > 0 or d.forks[24] > 0
          union all
          select lower(t.repository_owner), lower(t.repository_name),
                 (t.created_at at time zone 'UTC')::date,
                 (count(*) filter (where t.event_type = 'WatchEvent'))::integer,
                 (count(*) filter (where t.event_type = 'ForkEvent'))::integer
            from github_events_tail() t
           where t.event_type in ('WatchEvent', 'ForkEvent')
           group by 1, 2, 3) u
   group by 1, 2, 3
),
days as (
  select owner_key, name_key, day from github_daily_counts
  union
  select owner_key, name_key, day from event_days
),
chosen as (
  select r.owner, r.name, d.day,
         case when c.stars_from is not null and d.day between c.stars_from and c.stars_to
              then 'github' else 'events' end as stars_source,
         case when c.forks_from is not null and d.day between c.forks_from and c.forks_to
              then 'github' else 'events' end as forks_source,
         g.stars as github_stars, g.forks as github_forks,
         e.stars as event_stars, e.forks as event_forks
    from repositories r
    join days d on d.owner_key = r.owner_key and d.name_key = r.name_key
    left join github_history_coverage c on c.owner_key = r.owner_key and c.name_key = r.name_key
    left join github_daily_counts g
      on g.owner_key = r.owner_key and g.name_key = r.name_key and g.day = d.day
    left join event_days e on e.owner_key = r.owner_key and e.name_key = r.name_key and e.day = d.day
)
select owner as repository_owner, name as repository_name, day,
       coalesce(case when stars_source = 'github' then github_stars else event_stars end, 0)
         ::integer as stars,
       coalesce(case when forks_source = 'github' then github_forks else event_forks end, 0)
         ::integer as forks,
       stars_source, forks_source
  from chosen
 where coalesce(case when stars_source = 'github' then github_stars else event_stars end, 0) > 0
    or coalesce(case when forks_source = 'github' then github_forks else event_forks end, 0) > 0;
