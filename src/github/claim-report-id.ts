import { setRunReportIds } from "../backfill/index.js";
import type { Queryable } from "../db/index.js";

export type ReportSurface = "progressComment" | "checkRun";

export interface ClaimTiming {
  /** A claim older than this is taken over: its process died between claim and store. */
  claimTtlMs: number;
  /** How often a process that lost the claim looks for the stored id. */
  pollMs: number;
}

// A claim covers one GitHub call (a comment or a check run created, throttled to a few
// seconds at worst); two minutes is far beyond it and short enough for a crashed process.
export const claimDefaults: ClaimTiming = { claimTtlMs: 120_000, pollMs: 250 };

async function stored(
  db: Queryable,
  runId: number,
  surface: ReportSurface,
  ttlMs: number,
): Promise<{ id: number | null; claimFresh: boolean }> {
  const { rows } = await db.query<{
    comment_id: number | null;
    check_id: number | null;
    comment_fresh: boolean;
    check_fresh: boolean;
  }>(
    `select progress_comment_id as comment_id, check_run_id as check_id,
            coalesce(progress_comment_claimed_at > now() - make_interval(secs => $2::double precision), false)
              as comment_fresh,
            coalesce(check_run_claimed_at > now() - make_interval(secs => $2::double precision), false)
              as check_fresh
       from backfill_runs where id = $1::bigint`,
    [runId, ttlMs / 1000],
  );
  const row = rows[0];
  if (!row) throw new Error(`Back-fill run ${runId} is not in the database`);
  return surface === "progressComment"
    ? { id: row.comment_id, claimFresh: row.comment_fresh }
    : { id: row.check_id, claimFresh: row.check_fresh };
}

/** Claims the creation; true when this process got it (no id yet, no live claim). */
async function claim(db: Queryable, runId: number, surface: ReportSurface, ttlMs: number) {
  const { rows } =
    surface === "progressComment"
      ? await db.query(
          `update backfill_runs set progress_comment_claimed_at = now()
            where id = $1::bigint and progress_comment_id is null
              and (progress_comment_claimed_at is null
                   or progress_comment_claimed_at <= now() - make_interval(secs => $2::double precision))
           returning id`,
          [runId, ttlMs / 1000],
        )
      : await db.query(
          `update backfill_runs set check_run_claimed_at = now()
            where id = $1::bigint and check_run_id is null
              and (check_run_claimed_at is null
                   or check_run_claimed_at <= now() - make_interval(secs => $2::double precision))
           returning id`,
          [runId, ttlMs / 1000],
        );
  return rows.length === 1;
}

async function letGo(db: Queryable, runId: number, surface: ReportSurface) {
  if (surface === "progressComment") {
    await db.query(
      "update backfill_runs set progress_comment_claimed_at = null where id = $1::bigint",
      [runId],
    );
  } else {
    await db.query("update backfill_runs set check_run_claimed_at = null where id = $1::bigint", [
      runId,
    ]);
  }
}

/**
 * A run's progress comment or check run, created by one process only. Every replica's
 * reporter may hear of a run and starts from its own snapshot of the ids, so the creation
 * is claimed in the run's row first (one statement: concurrent claims queue on the row and
 * one lands); the others wait for the stored id and edit that one. No transaction is held
 * over the GitHub call. `create` may answer null (nothing to create, e.g. a repository
 * without commits): nothing is stored and the claim is let go, as when it fails.
 */
export async function claimReportId(
  db: Queryable,
  runId: number,
  surface: ReportSurface,
  create: () => Promise<number | null>,
  timing: ClaimTiming = claimDefaults,
): Promise<{ id: number | null; created: boolean }> {
  for (;;) {
    const now = await stored(db, runId, surface, timing.claimTtlMs);
    if (now.id !== null) return { id: now.id, created: false };
    if (!now.claimFresh && (await claim(db, runId, surface, timing.claimTtlMs))) break;
    await new Promise((resolve) => setTimeout(resolve, timing.pollMs));
  }
  let id: number | null;
  try {
    id = await create();
  } catch (err) {
    await letGo(db, runId, surface);
    throw err;
  }
  if (id === null) {
    await letGo(db, runId, surface);
    return { id: null, created: false };
  }
  await setRunReportIds(
    db,
    runId,
    surface === "progressComment" ? { progressCommentId: id } : { checkRunId: id },
  );
  return { id, created: true };
}
