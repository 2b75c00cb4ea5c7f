-- Unique actors of a workspace from a per-workspace rollup (figures behind the choice:
-- src/metrics/compute-metrics.ts, from bench/metrics.ts).
--
-- workspace_actor_last_seen: each actor's latest event (any type, login lower-cased, as
-- github_event_actors of 0005) across the workspace's repositories. workspace_actor_hours:
-- how many of those latest events fall in each UTC hour. The metrics window ends at `now`,
-- so when no event of the workspace is dated at or after `now` and no removed event could
-- have been an actor's last since the window began (0005's actor_removed_at), the window's
-- unique actors are the actors whose last_at is at or after its start: whole hours from the
-- histogram, plus or minus at most 30 minutes of actors through the (installation_id,
-- last_at) index. Otherwise the metrics count as before 0006.
--
-- Kept current inside the writer's statement, as 0005's rollups are:
-- - events inserted (or updated to new values): their actors' last_at moves forward for
--   every workspace listing the repository, and the histogram takes the move (−1 at the old
--   hour, +1 at the new). previous_at receives the old last_at inside the upsert itself, so
--   the move is read from the row as locked, exact with concurrent writers;
-- - events deleted: nothing here; 0005 marks the repository (actor_removed_at) and the
--   metrics fall back for windows that mark could touch;
-- - repositories added to a workspace: their actors merged in; removed or renamed: the
--   workspace rebuilt from github_event_actors (O(actors of the workspace), rare).
--
-- Membership changes and event writers meet on github_event_repositories rows: 0005's
-- trigger locks the row of every repository it writes until the writer commits, and the
-- membership trigger locks the rows of the repositories it touches (creating an empty row
-- when there is none yet) before reading github_event_actors. Whichever comes second sees
-- the other's committed work (read committed: each statement of a trigger function takes a
-- fresh snapshot), so an event is never lost between "not in a workspace yet" and "merged
-- before it arrived". Locks are taken in key order (repositories, then actors, then hours).

create table workspace_actor_last_seen (
  installation_id bigint not null,
  actor_key text not null,
  last_at timestamptz not null,
  -- last_at before the latest move, set by the same upsert; read only through `returning`.
  previous_at timestamptz,
  primary key (installation_id, actor_key)
);

-- The actors of the window's cut hour: a range scan of at most 30 minutes of them.
create index workspace_actor_last_seen_recent
  on workspace_actor_last_seen (installation_id, last_at);

create table workspace_actor_hours (
  installation_id bigint not null,
  hour timestamptz not null,
  actors integer not null,
  primary key (installation_id, hour)
);

-- An actor whose last event is dated at or after `now` (clock skew, or a window ending in
-- the past) may still have acted in the window: one probe per such actor and repository.
create index github_events_cache_repo_actor_created
  on github_events_cache (lower(repository_owner), lower(repository_name), lower(actor_login),
                          created_at);

-- Finds the workspaces of an event's repository without scanning every workspace's rows.
create index if not exists workspace_repositories_repo_key
  on workspace_repositories (lower(owner), lower(name));

-- New event rows (insert, or the new side of an update). Rows of repositories in no
-- workspace cost one grouping pass and an index probe per repository: the join is empty.
create function workspace_actors_events() returns trigger language plpgsql as $$
begin
  with repos as (
    select w.installation_id, r.owner_key, r.name_key
      from (select distinct lower(repository_owner) as owner_key,
                   lower(repository_name) as name_key
              from workspace_actors_new_rows) r
      join workspace_repositories w
        on lower(w.owner) = r.owner_key and lower(w.name) = r.name_key
  ),
  seen as (
    select p.installation_id, lower(n.actor_login) as actor_key, max(n.created_at) as last_at
      from workspace_actors_new_rows n
      join repos p
        on p.owner_key = lower(n.repository_owner) and p.name_key = lower(n.repository_name)
     where n.actor_login is not null
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
  return null;
end
$$;

-- Locks the github_event_repositories rows of these repositories in key order (an empty
-- row where the repository has no event yet), so that event writers of them finish
-- before and wait after (see the head of this file).
create function workspace_actors_lock_repositories(owner_keys text[], name_keys text[])
returns void language sql as $$
  insert into github_event_repositories as r (owner_key, name_key, stars, forks, events)
  select distinct o, n, 0, 0, 0 from unnest(owner_keys, name_keys) as k (o, n) order by 1, 2
  on conflict (owner_key, name_key) do update set events = r.events
$$;

-- Two membership changes of one workspace take turns (a rebuild must not meet a merge's
-- uncommitted rows): a transaction-scoped advisory lock per workspace, in id order; the
-- two-key form keeps clear of the one-key lock migrations take.
create function workspace_actors_lock_workspaces(ids bigint[]) returns void
language plpgsql as $$
begin
  perform pg_advisory_xact_lock(1466585665, (id % 2147483647)::integer)
     from (select distinct id from unnest(ids) as i (id) order by id) w;
end
$$;

-- Repositories added to workspaces: their actors merged in (last_at only moves forward).
create function workspace_actors_merge(ids bigint[], owner_keys text[], name_keys text[])
returns void language plpgsql as $$
begin
  perform workspace_actors_lock_workspaces(ids);
  perform workspace_actors_lock_repositories(owner_keys, name_keys);
  with seen as (
    select k.installation_id, a.actor_key, max(a.last_at) as last_at
      from unnest(ids, owner_keys, name_keys) as k (installation_id, owner_key, name_key)
      join github_event_actors a on a.owner_key = k.owner_key and a.name_key = k.name_key
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

-- Workspaces that lost (or renamed) repositories: rebuilt from github_event_actors over
-- their repositories now. The removed repositories are locked too: a writer that still
-- saw them in the workspace must finish first.
create function workspace_actors_rebuild(ids bigint[], removed_owner_keys text[],
                                         removed_name_keys text[])
returns void language plpgsql as $$
begin
  perform workspace_actors_lock_workspaces(ids);
  perform workspace_actors_lock_repositories(
    array_cat(removed_owner_keys, array(select lower(owner) from workspace_repositories
                                         where installation_id = any (ids)
                                         order by lower(owner), lower(name))),
    array_cat(removed_name_keys, array(select lower(name) from workspace_repositories
                                        where installation_id = any (ids)
                                        order by lower(owner), lower(name))));
  delete from workspace_actor_last_seen where installation_id = any (ids);
  delete from workspace_actor_hours where installation_id = any (ids);
  insert into workspace_actor_last_seen (installation_id, actor_key, last_at)
  select w.installation_id, a.actor_key, max(a.last_at)
    from workspace_repositories w
    join github_event_actors a on a.owner_key = lower(w.owner) and a.name_key = lower(w.name)
   where w.installation_id = any (ids)
   group by 1, 2
   order by 1, 2;
  insert into workspace_actor_hours (installation_id, hour, actors)
  select installation_id, date_trunc('hour', last_at, 'UTC'), count(*)::integer
    from workspace_actor_last_seen
   where installation_id = any (ids)
   group by 1, 2
   order by 1, 2;
end
$$;

create function workspace_actors_repositories_insert() returns trigger language plpgsql as $$
begin
  perform workspace_actors_merge(array_agg(installation_id), array_agg(lower(owner)),
                                 array_agg(lower(name)))
     from workspace_actors_added
   having count(*) > 0;
  return null;
end
$$;

create function workspace_actors_repositories_delete() returns trigger language plpgsql as $$
begin
  perform workspace_actors_rebuild(array_agg(distinct installation_id),
                                   array_agg(lower(owner)), array_agg(lower(name)))
     from workspace_actors_removed
   having count(*) > 0;
  return null;
end
$$;

-- Only a change of repository (a rename, or a row moved to another workspace) touches the
-- actors; GitHub's counts refreshed on the row do not.
create function workspace_actors_repositories_update() returns trigger language plpgsql as $$
begin
  perform workspace_actors_rebuild(array_agg(distinct c.installation_id),
                                   array_agg(c.owner_key), array_agg(c.name_key))
     from (select installation_id, repository_id, lower(owner) as owner_key,
                  lower(name) as name_key
             from workspace_actors_removed
           except
           select installation_id, repository_id, lower(owner), lower(name)
             from workspace_actors_added
           union
           (select installation_id, repository_id, lower(owner), lower(name)
              from workspace_actors_added
            except
            select installation_id, repository_id, lower(owner), lower(name)
              from workspace_actors_removed)) c
   having count(*) > 0;
  return null;
end
$$;

-- `delete`, not `truncate`: a truncate naming these tables too (as a test reset does) would
-- otherwise fail on the table it is already truncating.
create function workspace_actors_clear() returns trigger language plpgsql as $$
begin
  delete from workspace_actor_last_seen;
  delete from workspace_actor_hours;
  return null;
end
$$;

create trigger github_events_workspace_actors_insert
  after insert on github_events_cache
  referencing new table as workspace_actors_new_rows
  for each statement execute function workspace_actors_events();
create trigger github_events_workspace_actors_update
  after update on github_events_cache
  referencing new table as workspace_actors_new_rows
  for each statement execute function workspace_actors_events();
create trigger github_events_workspace_actors_truncate
  after truncate on github_events_cache
  for each statement execute function workspace_actors_clear();

create trigger workspace_repositories_actors_insert
  after insert on workspace_repositories
  referencing new table as workspace_actors_added
  for each statement execute function workspace_actors_repositories_insert();
create trigger workspace_repositories_actors_delete
  after delete on workspace_repositories
  referencing old table as workspace_actors_removed
  for each statement execute function workspace_actors_repositories_delete();
create trigger workspace_repositories_actors_update
  after update on workspace_repositories
  referencing old table as workspace_actors_removed new table as workspace_actors_added
  for each statement execute function workspace_actors_repositories_update();
create trigger workspace_repositories_actors_truncate
  after truncate on workspace_repositories
  for each statement execute function workspace_actors_clear();

-- Workspaces already there.
insert into workspace_actor_last_seen (installation_id, actor_key, last_at)
select w.installation_id, a.actor_key, max(a.last_at)
  from workspace_repositories w
  join github_event_actors a on a.owner_key = lower(w.owner) and a.name_key = lower(w.name)
 group by 1, 2;
insert into workspace_actor_hours (installation_id, hour, actors)
select installation_id, date_trunc('hour', last_at, 'UTC'), count(*)::integer
  from workspace_actor_last_seen
 group by 1, 2;
