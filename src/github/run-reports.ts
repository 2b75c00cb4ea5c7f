import type { Queryable } from "../db/index.js";

/**
 * `run_reports` (migration 0012): where a run reports on GitHub. The only module that
 * writes the table; the engine's `backfill_runs` knows nothing of comments or check runs.
 */

export type ReportSurface = "progressComment" | "checkRun";

export interface RunReport {
  /** The comment that asked for the run, and its repository: the run-end reaction goes there. */
  commandRepositoryId: number | null;
  commandCommentId: number | null;
  progressCommentId: number | null;
  checkRunId: number | null;
}

// Each statement serves both surfaces: `$2::boolean` is true for the progress comment,
// false for the check run (SQL text stays free of interpolation).
const isComment = (surface: ReportSurface) => surface === "progressComment";

/** A run's report ids; every id null when the run has not reported (or is unknown). */
export async function readRunReport(db: Queryable, runId: number): Promise<RunReport> {
  const { rows } = await db.query<{
    command_repository_id: number | null;
    command_comment_id: number | null;
    progress_comment_id: number | null;
    check_run_id: number | null;
  }>(
    `select command_repository_id, command_comment_id, progress_comment_id, check_run_id
       from run_reports where run_id = $1::bigint`,
    [runId],
  );
  const row = rows[0];
  return {
    commandRepositoryId: row?.command_repository_id ?? null,
    commandCommentId: row?.command_comment_id ?? null,
    progressCommentId: row?.progress_comment_id ?? null,
    checkRunId: row?.check_run_id ?? null,
  };
}

/** Records which comment (and repository) asked for a run. */
export async function saveCommandOrigin(
  db: Queryable,
  runId: number,
  repositoryId: number,
  commentId: number,
): Promise<void> {
  await db.query(
    `insert into run_reports (run_id, command_repository_id, command_comment_id)
     values ($1::bigint, $2::bigint, $3::bigint)
     on conflict (run_id) do update
       set command_repository_id = excluded.command_repository_id,
           command_comment_id = excluded.command_comment_id`,
    [runId, repositoryId, commentId],
  );
}

/** The surface's stored id and whether a claim to create it is still fresh. */
export async function storedReportId(
  db: Queryable,
  runId: number,
  surface: ReportSurface,
  ttlMs: number,
): Promise<{ id: number | null; claimFresh: boolean }> {
  const { rows } = await db.query<{ id: number | null; fresh: boolean }>(
    `select case when $2::boolean then r.progress_comment_id else r.check_run_id end as id,
            coalesce(case when $2::boolean then r.progress_comment_claimed_at
                          else r.check_run_claimed_at end
                     > now() - make_interval(secs => $3::double precision), false) as fresh
       from backfill_runs b left join run_reports r on r.run_id = b.id
      where b.id = $1::bigint`,
    [runId, isComment(surface), ttlMs / 1000],
  );
  const row = rows[0];
  if (!row) throw new Error(`Back-fill run ${runId} is not in the database`);
  return { id: row.id ?? null, claimFresh: row.fresh };
}

/**
 * Claims the creation in one statement (concurrent claims queue on the row, one lands);
 * true when this process got it: no id yet and no live claim.
 */
export async function claimReport(
  db: Queryable,
  runId: number,
  surface: ReportSurface,
  ttlMs: number,
): Promise<boolean> {
  const { rows } = await db.query(
    `insert into run_reports as r (run_id, progress_comment_claimed_at, check_run_claimed_at)
     values ($1::bigint, case when $2::boolean then now() end, case when $2::boolean then null else now() end)
     on conflict (run_id) do update
       set progress_comment_claimed_at =
             case when $2::boolean then now() else r.progress_comment_claimed_at end,
           check_run_claimed_at = case when $2::boolean then r.check_run_claimed_at else now() end
     where (case when $2::boolean then r.progress_comment_id else r.check_run_id end) is null
       and coalesce(case when $2::boolean then r.progress_comment_claimed_at
                         else r.check_run_claimed_at end
                    <= now() - make_interval(secs => $3::double precision), true)
     returning run_id`,
    [runId, isComment(surface), ttlMs / 1000],
  );
  return rows.length === 1;
}

export async function releaseReportClaim(
  db: Queryable,
  runId: number,
  surface: ReportSurface,
): Promise<void> {
  await db.query(
    `update run_reports
        set progress_comment_claimed_at = case when $2::boolean then null else progress_comment_claimed_at end,
            check_run_claimed_at = case when $2::boolean then check_run_claimed_at else null end
      where run_id = $1::bigint`,
    [runId, isComment(surface)],
  );
}

export async function storeReportId(
  db: Queryable,
  runId: number,
  surface: ReportSurface,
  id: number,
): Promise<void> {
  await db.query(
    `update run_reports
        set progress_comment_id = case when $2::boolean then $3::bigint else progress_comment_id end,
            check_run_id = case when $2::boolean then check_run_id else $3::bigint end
      where run_id = $1::bigint`,
    [runId, isComment(surface), id],
  );
}
