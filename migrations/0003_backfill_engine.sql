-- The back-fill engine's bookkeeping beside the core tables of 0001.

-- Every write to a run or one of its items bumps `version`, so a process that keeps the
-- run's snapshot in memory can tell whether it saw every change (patch it) or another
-- replica wrote in between (reload it). Without it each progress event would re-read all
-- items of the run, which is quadratic on a 1,000-repository run.
alter table backfill_runs add column if not exists version integer not null default 0;

-- Items not yet ended, and items failed, counted on the run row. The statement that ends
-- an item decrements them under the run row's lock, so the run ends exactly once, in the
-- same statement, even when two workers end its last two items at the same moment (a
-- count(*) over the items would read a snapshot from before the other worker's commit).
alter table backfill_runs add column if not exists open_items integer not null default 0;
alter table backfill_runs add column if not exists failed_items integer not null default 0;

-- The webhook delivery that created the run: a redelivery answers with that run.
alter table backfill_runs add column if not exists delivery_id text;
create unique index if not exists backfill_runs_delivery
  on backfill_runs (delivery_id) where delivery_id is not null;

-- Items being worked on, by lease end: where a worker looks for leases to take over.
create index if not exists backfill_items_processing
  on backfill_items (locked_until) where status = 'processing';

-- Counting a repository's events after its job (owner and name matched case-insensitively,
-- since gh-datapipe may write `Octo-Org/Repo`) is a range scan of 0002's covering index
-- `github_events_cache_repo_key_created (lower(owner), lower(name), created_at)`; a second
-- index on the same keys would only slow gh-datapipe's inserts.
