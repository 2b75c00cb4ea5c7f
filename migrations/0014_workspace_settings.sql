-- A workspace's `.github/workspace-backfill.yml` (contract §7) and its schedule.

-- The last good settings read from the file (every key optional; `{}` when there is no
-- file), where they came from, and the last bad version already answered on the tracking
-- issue, so a bad file is answered once per version whichever replica reads it.
create table workspace_settings (
  installation_id bigint primary key references workspaces (installation_id) on delete cascade,
  settings jsonb not null default '{}'::jsonb,
  -- A digest of the files the settings came from: a changed file is a new version.
  version text,
  -- The files read, `[{owner, repo, path}]`: a push touching one of them reads them again.
  sources jsonb not null default '[]'::jsonb,
  read_at timestamptz,
  bad_version text,
  updated_at timestamptz not null default now()
);

-- When each workspace's schedule is next due, claimed like the engine's items: a replica
-- takes the row with a lease, fires it with an idempotency key made of the workspace and
-- the due time (a second replica, or the same one after a crash, asking again creates
-- nothing), then moves `next_due_at` past the present, so times missed while the app was
-- down fire once, not once each.
create table schedule_state (
  installation_id bigint primary key references workspaces (installation_id) on delete cascade,
  -- `cron|timezone` that next_due_at was computed for: a changed schedule starts afresh.
  schedule_key text not null,
  next_due_at timestamptz,
  locked_by text,
  locked_until timestamptz,
  last_due_at timestamptz,
  last_outcome text check (last_outcome in ('started', 'skipped', 'nothing')),
  last_run_id bigint,
  -- The last due time skipped because a run was active, and that run: the dashboard says so.
  skipped_due_at timestamptz,
  skipped_run_id bigint,
  updated_at timestamptz not null default now()
);
-- What every replica's ticker asks every few seconds: the schedules due by now.
create index schedule_state_due on schedule_state (next_due_at) where next_due_at is not null;
