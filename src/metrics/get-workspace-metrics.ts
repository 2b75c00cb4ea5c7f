import type { Queryable } from "../db/index.js";
import { computeMetrics } from "./compute-metrics.js";
import type { MetricsOptions, WorkspaceMetrics } from "./types.js";

/**
 * Metrics of a workspace's repositories (the installation's `workspace_repositories`),
 * with GitHub's stargazer and fork counts as totals where the workspace knows them.
 * Null when there is no such workspace, or it has ended.
 */
export async function getWorkspaceMetrics(
  db: Queryable,
  installationId: number,
  options: MetricsOptions = {},
): Promise<WorkspaceMetrics | null> {
  const workspace = await db.query(
    `select 1 from workspaces where installation_id = $1::bigint and status <> 'deleted'`,
    [installationId],
  );
  if (workspace.rowCount === 0) return null;
  const { rows } = await db.query<{
    owner: string;
    name: string;
    stargazers_count: number | null;
    forks_count: number | null;
  }>(
    `select owner, name, stargazers_count, forks_count
       from workspace_repositories
      where installation_id = $1::bigint
      order by position`,
    [installationId],
  );
  const metrics = await computeMetrics(
    db,
    rows.map((r) => ({
      owner: r.owner,
      name: r.name,
      stargazersCount: r.stargazers_count,
      forksCount: r.forks_count,
    })),
    options,
  );
  return { installationId, ...metrics };
}
