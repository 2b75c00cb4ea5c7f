import type { Queryable } from "../db/index.js";
import { computeWorkspaceMetrics } from "./compute-metrics.js";
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
  const metrics = await computeWorkspaceMetrics(db, installationId, options);
  return metrics === null ? null : { installationId, ...metrics };
}
