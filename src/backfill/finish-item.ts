import type { Db } from "../db/index.js";
import type { ItemChange } from "./item-change.js";
import { ITEM_COLUMNS, type ItemRow, RUN_COLUMNS, type RunRow } from "./run-rows.js";

export interface FinishItem {
  itemId: number;
  runId: number;
  workerId: string;
  status: "completed" | "failed";
  eventsFound: number | null;
  error: string | null;
}

export interface FinishedItem extends ItemChange {
  /** This item was the run's last open one: the run ended with it. */
  runFinished: boolean;
}

/**
 * Ends an item and, when it was the run's last open one, the run. The run row is locked
 * first: two workers ending the last two items at once would otherwise each still see the
 * other's item open, and the run would never end.
 */
export function finishItem(db: Db, f: FinishItem): Promise<FinishedItem | null> {
  return db.transaction(async (tx) => {
    await tx.query("select id from backfill_runs where id = $1::bigint for update", [f.runId]);
    const item = await tx.query<ItemRow>(
      `update backfill_items
          set status = $3::text, events_found = $4::int, error = $5::text,
              progress = case when $3::text = 'completed' then 100 else progress end,
              finished_at = now(), locked_by = null, locked_until = null, updated_at = now()
        where id = $1::bigint and locked_by = $2::text and status = 'processing'
       returning ${ITEM_COLUMNS}`,
      [f.itemId, f.workerId, f.status, f.eventsFound, f.error],
    );
    if (item.rows.length === 0) return null;
    // The failed/cancelled look-ups only run once nothing is open, so each finish costs
    // one probe of the open-items index rather than a pass over the whole run.
    const run = await tx.query<RunRow & { finished: boolean }>(
      `update backfill_runs r
          set version = r.version + 1, updated_at = now(),
              status = case
                when o.open then r.status
                when exists (select 1 from backfill_items where run_id = r.id and status = 'failed')
                  then 'failed'
                when exists (select 1 from backfill_items where run_id = r.id and status = 'cancelled')
                  then 'cancelled'
                else 'completed' end,
              finished_at = case when o.open then r.finished_at else now() end
         from (select exists (select 1 from backfill_items
                               where run_id = $1::bigint and status in ('pending', 'processing')) as open) o
        where r.id = $1::bigint
       returning ${RUN_COLUMNS.split(",")
         .map((c) => `r.${c.trim()}`)
         .join(", ")}, not o.open as finished`,
      [f.runId],
    );
    const { finished, ...runRow } = run.rows[0]!;
    return { item: item.rows[0]!, run: runRow, runFinished: finished };
  });
}
