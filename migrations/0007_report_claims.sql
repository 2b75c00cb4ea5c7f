-- Which process is creating a run's progress comment or check run, and since when. Every
-- replica's reporter hears of a run; the one whose claim lands creates, the others wait for
-- the id and edit that one. A claim older than two minutes is a process that died mid-way.
alter table backfill_runs add column if not exists progress_comment_claimed_at timestamptz;
alter table backfill_runs add column if not exists check_run_claimed_at timestamptz;
