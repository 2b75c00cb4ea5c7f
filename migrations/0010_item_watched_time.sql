-- How long some worker has watched an item's gh-datapipe job, in milliseconds. The job's
-- time-out (BACKFILL_JOB_TIMEOUT_MS) is measured against this, not against the wall clock
-- since it started: while no process of the app runs, nobody watches, and the app's own
-- downtime must not fail a job that was fine. The worker holding the item adds to it at
-- each lease renewal, so a crash loses at most one renewal interval of watching.
alter table backfill_items add column if not exists watched_ms bigint not null default 0;
