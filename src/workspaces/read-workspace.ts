import type { Queryable } from "../db/index.js";

export type WorkspaceStatus = "active" | "suspended" | "deleted";

export interface Workspace {
  installationId: number;
  accountLogin: string;
  accountId: number | null;
  accountType: string | null;
  status: WorkspaceStatus;
  trackingRepositoryId: number | null;
  trackingIssueNumber: number | null;
}

export interface WorkspaceRepository {
  repositoryId: number;
  owner: string;
  name: string;
  fullName: string;
  private: boolean;
  defaultBranch: string | null;
  stargazersCount: number | null;
  forksCount: number | null;
}

export async function getWorkspace(
  db: Queryable,
  installationId: number,
): Promise<Workspace | null> {
  const { rows } = await db.query<{
    installation_id: number;
    account_login: string;
    account_id: number | null;
    account_type: string | null;
    status: WorkspaceStatus;
    tracking_repository_id: number | null;
    tracking_issue_number: number | null;
  }>(
    `select installation_id, account_login, account_id, account_type, status,
            tracking_repository_id, tracking_issue_number
       from workspaces where installation_id = $1::bigint`,
    [installationId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    installationId: row.installation_id,
    accountLogin: row.account_login,
    accountId: row.account_id,
    accountType: row.account_type,
    status: row.status,
    trackingRepositoryId: row.tracking_repository_id,
    trackingIssueNumber: row.tracking_issue_number,
  };
}

/** The workspace's repositories in the order GitHub listed them. */
export async function listRepositories(
  db: Queryable,
  installationId: number,
): Promise<WorkspaceRepository[]> {
  const { rows } = await db.query<{
    repository_id: number;
    owner: string;
    name: string;
    private: boolean;
    default_branch: string | null;
    stargazers_count: number | null;
    forks_count: number | null;
  }>(
    `select repository_id, owner, name, private, default_branch, stargazers_count, forks_count
       from workspace_repositories
      where installation_id = $1::bigint
      order by position`,
    [installationId],
  );
  return rows.map((r) => ({
    repositoryId: r.repository_id,
    owner: r.owner,
    name: r.name,
    fullName: `${r.owner}/${r.name}`,
    private: r.private,
    defaultBranch: r.default_branch,
    stargazersCount: r.stargazers_count,
    forksCount: r.forks_count,
  }));
}
