-- Events as gh-datapipe writes them (contract §5). gh-datapipe inserts straight into this
-- table in the shared database; the app reads it and never needs to write it.
-- Not partitioned: a partitioned table cannot carry UNIQUE(event_id) without the partition
-- key, and one unique event per id is what every count relies on. docs/scaling.md says when
-- and how to move to monthly partitions.
create table if not exists github_events_cache (
  event_id text primary key,
  event_type text not null,
  actor_login text,
  repository_owner text not null,
  repository_name text not null,
  payload jsonb,
  created_at timestamptz not null
);
create index if not exists github_events_cache_repo_created
  on github_events_cache (repository_owner, repository_name, created_at);

-- One GitHub App installation is one workspace.
create table workspaces (
  installation_id bigint primary key,
  account_login text not null,
  account_id bigint,
  account_type text,
  status text not null default 'active'
    check (status in ('active', 'suspended', 'deleted')),
  -- Where the bot reports: the tracking issue and its check run.
  tracking_repository_id bigint,
  tracking_issue_number integer,
  check_run_id bigint,
  -- Earliest moment the next gh-datapipe trigger of this workspace may be sent; moved
  -- forward in the claiming transaction, so the pause holds across app processes.
  next_trigger_at timestamptz not null default '-infinity',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  suspended_at timestamptz,
  deleted_at timestamptz
);

create table workspace_repositories (
  installation_id bigint not null references workspaces (installation_id) on delete cascade,
  repository_id bigint not null,
  owner text not null,
  name text not null,
  private boolean not null default false,
  -- Order in which GitHub listed the repositories: the first is the fallback tracking repo.
  position bigserial not null,
  default_branch text,
  stargazers_count integer,
  forks_count integer,
  added_at timestamptz not null default now(),
  primary key (installation_id, repository_id)
);
-- Owner/name match case-insensitively, as on GitHub.
create unique index workspace_repositories_full_name
  on workspace_repositories (installation_id, lower(owner), lower(name));

create table backfill_runs (
  id bigserial primary key,
  installation_id bigint not null references workspaces (installation_id) on delete cascade,
  status text not null default 'pending'
    check (status in ('pending', 'processing', 'completed', 'failed', 'cancelled')),
  days integer not null check (days between 1 and 365),
  source text not null
    check (source in ('command', 'button', 'checkbox', 'installation', 'retry', 'schedule', 'cli')),
  requested_by text,
  retry_of bigint references backfill_runs (id),
  paused boolean not null default false,
  -- Where the run reports on GitHub; filled by the GitHub surfaces.
  command_comment_id bigint,
  progress_comment_id bigint,
  check_run_id bigint,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null default now()
);
-- At most one active run per workspace, enforced by the database itself.
create unique index backfill_runs_one_active
  on backfill_runs (installation_id) where status in ('pending', 'processing');
create index backfill_runs_workspace on backfill_runs (installation_id, id desc);

create table backfill_items (
  id bigserial primary key,
  run_id bigint not null references backfill_runs (id) on delete cascade,
  position integer not null,
  repository_id bigint,
  owner text not null,
  name text not null,
  status text not null default 'pending'
    check (status in ('pending', 'processing', 'completed', 'failed', 'cancelled')),
  job_id text,
  progress integer,
  events_found integer,
  error text,
  -- Lease of the app process working on the item; an expired lease may be taken over.
  locked_by text,
  locked_until timestamptz,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null default now(),
  unique (run_id, position)
);
create index backfill_items_open on backfill_items (run_id, position)
  where status in ('pending', 'processing');

-- Each X-GitHub-Delivery is handled once.
create table webhook_deliveries (
  delivery_id text primary key,
  event text not null,
  action text,
  installation_id bigint,
  received_at timestamptz not null default now()
);
