-- The GitHub reporting ids moved to run_reports in 0012, which left the engine's old columns
-- in place for processes of the version before it; no version since reads or writes them.
-- workspaces.check_run_id was never read at all.
alter table backfill_runs
  drop column if exists command_repository_id,
  drop column if exists command_comment_id,
  drop column if exists progress_comment_id,
  drop column if exists check_run_id,
  drop column if exists progress_comment_claimed_at,
  drop column if exists check_run_claimed_at;

alter table workspaces drop column if exists check_run_id;
