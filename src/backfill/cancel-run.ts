import type { Db } from "../db/index.js";

export interface CancelledRun {
  runId: number;
  /** Jobs that were running at the back-fill service and must be cancelled there too. */
  jobIds: string[];
}

/**
 * Ends the workspace's active run as `cancelled`: its pending and processing items become
 * `cancelled` at once. A worker still polling one of them finds its item gone at its next
 * write and stops.
 */
export function cancelRun(db: Db, installationId: number): Promise<CancelledRun | null> {
  return db.transaction(async (tx) => {
    // Items before their run, the order of every write a worker makes to its held item
    // (item-change.ts): the other order deadlocks with a worker's progress write.
    await tx.query(
      `select i.id from backfill_items i
         join backfill_runs r on r.id = i.run_id
        where r.installation_id = $1::bigint and r.status in ('pending', 'processing')
          and i.status in ('pending', 'processing')
        order by i.id
          for update of i`,
      [installationId],
    );
    const { rows } = await tx.query<{ id: number }>(
      `select id from backfill_runs
        where installation_id = $1::bigint and status in ('pending', 'processing')
        for update`,
      [installationId],
    );
    const runId = rows[0]?.id;
    if (runId === undefined) return null;
    const items = await tx.query<{ job_id: string | null }>(
      `update backfill_items
          set status = 'cancelled', finished_at = now(), locked_by = null, locked_until = null,
              updated_at = now()
        where run_id = $1::bigint and status in ('pending', 'processing')
       returning job_id`,
      [runId],
    );
    await tx.query(
      `update backfill_runs
          set status = 'cancelled', finished_at = now(), open_items = 0,
              version = version + 1, updated_at = now()
        where id = $1::bigint`,
      [runId],
    );
    return { runId, jobIds: items.rows.flatMap((r) => (r.job_id ? [r.job_id] : [])) };
  });
}
