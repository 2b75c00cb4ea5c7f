import type { Queryable } from "../db/index.js";

export interface RunReportIds {
  progressCommentId?: number | null;
  checkRunId?: number | null;
  commandCommentId?: number | null;
}

/**
 * Records where a run reports on GitHub (its progress comment, its check run); ids left
 * out keep their value. Bumps the run's version so snapshots pick the ids up.
 */
export async function setRunReportIds(
  db: Queryable,
  runId: number,
  ids: RunReportIds,
): Promise<void> {
  await db.query(
    `update backfill_runs
        set progress_comment_id = case when $2::boolean then $3::bigint else progress_comment_id end,
            check_run_id = case when $4::boolean then $5::bigint else check_run_id end,
            command_comment_id = case when $6::boolean then $7::bigint else command_comment_id end,
            version = version + 1, updated_at = now()
      where id = $1::bigint`,
    [
      runId,
      ids.progressCommentId !== undefined,
      ids.progressCommentId ?? null,
      ids.checkRunId !== undefined,
      ids.checkRunId ?? null,
      ids.commandCommentId !== undefined,
      ids.commandCommentId ?? null,
    ],
  );
}
