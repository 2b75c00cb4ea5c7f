-- The repository of the comment that asked for a run: the run-end reaction (🚀 or 😕) goes
-- on that comment, which may sit on any issue labelled `workspace-backfill`.
alter table backfill_runs add column if not exists command_repository_id bigint;
