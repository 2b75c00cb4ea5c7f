import type { Queryable } from "../db/index.js";

/**
 * Folds the events gh-datapipe inserted since the watermark into the rollups
 * (migrations/0013 `metrics_fold`): one statement, its own transaction. Returns the rows
 * folded; 0 when nothing is new or another process is folding.
 */
export async function foldMetrics(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ folded: number }>("select metrics_fold()::int as folded");
  return rows[0]?.folded ?? 0;
}

/**
 * Brings the workspace actor rollups to the repositories the workspaces list now
 * (`metrics_reconcile_members`): the cost of the repositories added, removed or renamed,
 * never inside the webhook's transaction that changed them. Returns the changes applied.
 */
export async function reconcileMetricsMembers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ changes: number }>(
    "select metrics_reconcile_members() as changes",
  );
  return rows[0]?.changes ?? 0;
}

/** The watermark as text (xid8), '0' when a reset left none. */
export async function readWatermark(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ mark: string }>(
    "select coalesce((select folded_before from metrics_watermark), '0')::text as mark",
  );
  return rows[0]?.mark ?? "0";
}
