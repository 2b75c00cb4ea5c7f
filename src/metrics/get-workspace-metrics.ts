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
  // The workspace and its repositories in one round trip: no row, no workspace; one row
  // with a null owner, a workspace without repositories.
  const { rows } = await db.query<{
    owner: string | null;
    name: string | null;
    stargazers_count: number | null;
    forks_count: number | null;
  }>(
    `select r.owner, r.name, r.stargazers_count, r.forks_count
       from workspaces w
       left join workspace_repositories r on r.installation_id = w.installation_id
      where w.installation_id = $1::bigint and w.status <> 'deleted'
      order by r.position`,
    [installationId],
  );
  if (rows.length === 0) return null;
  const metrics = await computeMetrics(
    db,
    rows.flatMap((r) =>
      r.owner === null || r.name === null
        ? []
        : [
            {
              owner: r.owner,
              name: r.name,
              stargazersCount: r.stargazers_count,
              forksCount: r.forks_count,
            },
          ],
    ),
    options,
    installationId,
  );
  return { installationId, ...metrics };
}
