-- The fold no longer stops at a transaction that ended while it looked (issue 13). It
-- passes transactions of other databases, known from pg_stat_activity; one that ended between
-- the fold's snapshot and that look was missing there and held the fold back to below
-- itself, so on a server whose other databases are busy a fold could move nothing for a
-- round. Now a transaction gone from a snapshot taken after the look is passed too: it
-- writes nothing more, and what it wrote is visible to the fold's later statements.

create or replace function metrics_fold() returns bigint language plpgsql as $$
declare
  snap pg_snapshot := pg_current_snapshot();
  running xid8[];
  horizon xid8;
  mark xid8;
  folded bigint;
begin
  -- The transactions of the snapshot that may write these rows. Transaction ids are
  -- cluster-wide: one known to run in another database (another app's long transaction on a
  -- shared server) cannot write these rows and does not hold the fold back; one that cannot
  -- be told apart (pg_stat_activity hides it from this role) does.
  select coalesce(array_agg(x), '{}') into running
    from pg_snapshot_xip(snap) as x
   where not exists (select 1 from pg_stat_activity a
                      where a.backend_xid::text::bigint = x::text::bigint % 4294967296
                        and a.datname <> current_database())
     and not exists (select 1 from pg_prepared_xacts p
                      where p.transaction::text::bigint = x::text::bigint % 4294967296
                        and p.database <> current_database());
  -- The oldest of them still running after that look: one that ended meanwhile is missing
  -- from pg_stat_activity but cannot write any more, and its rows are visible to the
  -- statements below, which take their snapshots later still. (Under repeatable read the
  -- snapshot does not move, and nothing more is passed.)
  select min(x) into horizon
    from unnest(running) as x
   where not pg_visible_in_snapshot(x, pg_current_snapshot());
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
