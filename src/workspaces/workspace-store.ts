import type { Queryable } from "../db/index.js";
import type { WorkspaceStatus } from "./read-workspace.js";

/**
 * The one module that writes `workspaces` and `workspace_repositories` (the engine's
 * pacing lives in its own table, `backfill/pacing-store.ts`). Other rooms call these
 * functions: the installation events, the CLI's operator workspace, the GitHub
 * surfaces' tracking issue.
 */

export interface NewRepository {
  repositoryId: number;
  owner: string;
  name: string;
  private: boolean;
}

/** The installation's account, as installation payloads give it. */
export interface WorkspaceAccount {
  installationId: number;
  accountLogin: string;
  accountId?: number | null;
  accountType?: string | null;
}

export function splitFullName(fullName: string): { owner: string; name: string } {
  const [owner = "", name = ""] = fullName.split("/");
  return { owner, name };
}

export async function upsertWorkspace(tx: Queryable, ws: WorkspaceAccount): Promise<void> {
  // A re-created installation id is a new workspace life: it comes back active.
  await tx.query(
    `insert into workspaces (installation_id, account_login, account_id, account_type)
     values ($1::bigint, $2::text, $3::bigint, $4::text)
     on conflict (installation_id) do update
       set account_login = excluded.account_login,
           account_id = coalesce(excluded.account_id, workspaces.account_id),
           account_type = coalesce(excluded.account_type, workspaces.account_type),
           status = 'active', deleted_at = null, suspended_at = null, updated_at = now()`,
    [ws.installationId, ws.accountLogin, ws.accountId ?? null, ws.accountType ?? null],
  );
}

/** Ensures a workspace row exists for events that may arrive before `installation.created`. */
export async function ensureWorkspace(tx: Queryable, ws: WorkspaceAccount): Promise<void> {
  await tx.query(
    `insert into workspaces (installation_id, account_login, account_id, account_type)
     values ($1::bigint, $2::text, $3::bigint, $4::text)
     on conflict (installation_id) do nothing`,
    [ws.installationId, ws.accountLogin, ws.accountId ?? null, ws.accountType ?? null],
  );
}

export async function setWorkspaceStatus(
  tx: Queryable,
  installationId: number,
  status: WorkspaceStatus,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `update workspaces
        set status = $2::text,
            suspended_at = case when $2::text = 'suspended' then now() else null end,
            deleted_at = case when $2::text = 'deleted' then now() else deleted_at end,
            updated_at = now()
      where installation_id = $1::bigint`,
    [installationId, status],
  );
  return rowCount === 1;
}

/**
 * Adds repositories in the order given (that order decides the fallback tracking
 * repository). Returns those that were not in the workspace before.
 */
export async function addRepositories(
  tx: Queryable,
  installationId: number,
  repositories: NewRepository[],
): Promise<NewRepository[]> {
  if (repositories.length === 0) return [];
  // A repository renamed while we were not told keeps its id: the id wins, the name follows.
  const { rows } = await tx.query<{ repository_id: number; inserted: boolean }>(
    `insert into workspace_repositories (installation_id, repository_id, owner, name, private)
     select $1::bigint, r.id, r.owner, r.name, r.private
       from unnest($2::bigint[], $3::text[], $4::text[], $5::boolean[])
            with ordinality as r(id, owner, name, private, ord)
      order by r.ord
     on conflict (installation_id, repository_id) do update
       set owner = excluded.owner, name = excluded.name, private = excluded.private
     returning repository_id, (xmax = 0) as inserted`,
    [
      installationId,
      repositories.map((r) => r.repositoryId),
      repositories.map((r) => r.owner),
      repositories.map((r) => r.name),
      repositories.map((r) => r.private),
    ],
  );
  const fresh = new Set(rows.filter((r) => r.inserted).map((r) => r.repository_id));
  return repositories.filter((r) => fresh.has(r.repositoryId));
}

export async function removeRepositories(
  tx: Queryable,
  installationId: number,
  repositoryIds: number[],
): Promise<number> {
  if (repositoryIds.length === 0) return 0;
  const { rowCount } = await tx.query(
    `delete from workspace_repositories
      where installation_id = $1::bigint and repository_id = any($2::bigint[])`,
    [installationId, repositoryIds],
  );
  return rowCount;
}

/** An uninstalled workspace keeps no repositories. */
export async function removeAllRepositories(
  tx: Queryable,
  installationId: number,
): Promise<number> {
  const { rowCount } = await tx.query(
    "delete from workspace_repositories where installation_id = $1::bigint",
    [installationId],
  );
  return rowCount;
}

/** A repository deleted on GitHub leaves every workspace that had it. */
export async function removeRepositoryEverywhere(
  tx: Queryable,
  repositoryId: number,
): Promise<void> {
  await tx.query("delete from workspace_repositories where repository_id = $1::bigint", [
    repositoryId,
  ]);
}

/** Renames and transfers follow the repository id in every workspace that has it. */
export async function updateRepository(
  tx: Queryable,
  repo: {
    repositoryId: number;
    owner: string;
    name: string;
    private?: boolean | undefined;
    defaultBranch?: string | undefined;
    stargazersCount?: number | undefined;
    forksCount?: number | undefined;
  },
): Promise<number> {
  const { rowCount } = await tx.query(
    `update workspace_repositories
        set owner = $2::text, name = $3::text,
            private = coalesce($4::boolean, private),
            default_branch = coalesce($5::text, default_branch),
            stargazers_count = coalesce($6::integer, stargazers_count),
            forks_count = coalesce($7::integer, forks_count)
      where repository_id = $1::bigint`,
    [
      repo.repositoryId,
      repo.owner,
      repo.name,
      repo.private ?? null,
      repo.defaultBranch ?? null,
      repo.stargazersCount ?? null,
      repo.forksCount ?? null,
    ],
  );
  return rowCount;
}

/**
 * The CLI's own workspace (`--repo` names no installed repository): created once, and
 * brought back when it had been marked deleted. Holds no repository rows.
 */
export async function ensureOperatorWorkspace(
  db: Queryable,
  installationId: number,
): Promise<void> {
  await db.query(
    `insert into workspaces (installation_id, account_login, account_type)
     values ($1::bigint, 'operator', 'Operator')
     on conflict (installation_id) do update
       set status = 'active', deleted_at = null, updated_at = now()
       where workspaces.status = 'deleted'`,
    [installationId],
  );
}

/** Where the workspace's tracking issue is (contract §3). */
export async function saveTrackingIssue(
  db: Queryable,
  installationId: number,
  repositoryId: number,
  issueNumber: number,
): Promise<void> {
  await db.query(
    `update workspaces
        set tracking_repository_id = $2::bigint, tracking_issue_number = $3::integer, updated_at = now()
      where installation_id = $1::bigint`,
    [installationId, repositoryId, issueNumber],
  );
}

/**
 * True when this process may find or create the tracking issue now: no live claim (one
 * older than `ttlMs` is a process that died mid-way). See migration 0008.
 */
export async function claimTrackingIssue(
  db: Queryable,
  installationId: number,
  ttlMs: number,
): Promise<boolean> {
  const { rows } = await db.query(
    `update workspaces set tracking_claimed_at = now()
      where installation_id = $1::bigint
        and (tracking_claimed_at is null
             or tracking_claimed_at <= now() - make_interval(secs => $2::double precision))
     returning installation_id`,
    [installationId, ttlMs / 1000],
  );
  return rows.length === 1;
}

export async function releaseTrackingClaim(db: Queryable, installationId: number): Promise<void> {
  await db.query(
    "update workspaces set tracking_claimed_at = null where installation_id = $1::bigint",
    [installationId],
  );
}
