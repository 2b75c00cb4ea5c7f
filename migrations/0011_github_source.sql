-- GitHub itself as a back-fill source beside gh-datapipe (contract §2, §4b).

-- Where a run reads from, fixed when it is requested (BACKFILL_SOURCE then): a change of
-- the variable never changes what a run already under way does. Runs from before this
-- migration read gh-datapipe only.
alter table backfill_runs
  add column if not exists sources text[] not null default '{datapipe}'
    check (sources <@ array['github', 'datapipe']::text[] and cardinality(sources) > 0);
-- `/backfill all`: every page of GitHub's star history and forks, beside `days` of gh-datapipe.
alter table backfill_runs add column if not exists full_history boolean not null default false;

-- GitHub's outcome per repository, apart from gh-datapipe's (job_id, events_found, error):
-- null until GitHub was read; a restart skips a recorded read and goes on to gh-datapipe.
alter table backfill_items
  add column if not exists github_status text check (github_status in ('completed', 'failed'));
-- Stars and forks GitHub gave over the back-filled days (the whole history for `all`).
alter table backfill_items add column if not exists stars_found integer;
alter table backfill_items add column if not exists forks_found integer;
alter table backfill_items add column if not exists github_error text;

-- Live figures (contract §3): a `star` or `fork` webhook asks for a repository's newest
-- GitHub figures to be read again at `due_at`. One row per repository, so a burst of
-- webhooks asks once; any replica's sweep claims due rows with `for update skip locked`.
-- A claimed row's `due_at` is the sweeper's lease end (a dead sweeper's row is taken over
-- once it passes); `again` marks a webhook that arrived while the read was under way, so
-- it is read once more rather than lost.
create table if not exists github_refresh_queue (
  owner_key text not null,
  name_key text not null,
  installation_id bigint not null,
  owner text not null,
  name text not null,
  due_at timestamptz not null,
  claimed boolean not null default false,
  again boolean not null default false,
  primary key (owner_key, name_key)
);
create index if not exists github_refresh_queue_due on github_refresh_queue (due_at);
