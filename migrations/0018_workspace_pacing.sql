-- The engine's pacing leaves `workspaces` (owned by src/workspaces/) for a table of the
-- engine's own, written only by src/backfill/pacing-store.ts.

-- Earliest moment the next gh-datapipe trigger of this workspace may be sent. The claim
-- locks the row `for update` and moves it forward in the claiming transaction, so the
-- pause holds across app processes. The engine creates the row with the workspace's first
-- run; a workspace that never asked for one has none.
create table workspace_pacing (
  installation_id bigint primary key references workspaces (installation_id) on delete cascade,
  next_trigger_at timestamptz not null default '-infinity'
);

-- Every workspace keeps the pause it had, whether or not it has run before.
insert into workspace_pacing (installation_id, next_trigger_at)
select installation_id, next_trigger_at from workspaces;

alter table workspaces drop column next_trigger_at;
