-- Where a run reports on GitHub belongs to the GitHub surfaces, not to the engine's run row:
-- the engine knows nothing of comments or check runs. One row per run that has reported
-- (or been asked for by a comment); the surfaces write it, nothing else does.
create table if not exists run_reports (
  run_id bigint primary key references backfill_runs (id) on delete cascade,
  -- The comment (and its repository) that asked for the run: the 🚀 or 😕 goes there.
  command_repository_id bigint,
  command_comment_id bigint,
  progress_comment_id bigint,
  check_run_id bigint,
  -- Which process is creating the progress comment or check run, and since when (see 0007).
  progress_comment_claimed_at timestamptz,
  check_run_claimed_at timestamptz
);

-- The ids recorded so far move over; the old columns of backfill_runs are no longer read or
-- written (left in place so that a process of the previous version finishing its shutdown
-- does not fail; a later migration may drop them).
insert into run_reports
  (run_id, command_repository_id, command_comment_id, progress_comment_id, check_run_id,
   progress_comment_claimed_at, check_run_claimed_at)
select id, command_repository_id, command_comment_id, progress_comment_id, check_run_id,
       progress_comment_claimed_at, check_run_claimed_at
  from backfill_runs
 where command_repository_id is not null or command_comment_id is not null
    or progress_comment_id is not null or check_run_id is not null
    or progress_comment_claimed_at is not null or check_run_claimed_at is not null
on conflict (run_id) do nothing;
