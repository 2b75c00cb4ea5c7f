import type { Queryable } from "../db/index.js";
import { ASYNC_COMMIT } from "./async-commit.js";
import type { ItemChange } from "./item-change.js";
import {
  columnsOf,
  ITEM_COLUMNS,
  type ItemRow,
  RUN_COLUMNS,
  type RunRow,
  reviveItem,
  reviveRun,
} from "./run-rows.js";

export interface FinishItem {
  itemId: number;
  workerId: string;
  status: "completed" | "failed";
  error: string | null;
  /** The run's window: a completed item counts the events that arrived in it. */
  days: number;
  /**
   * Whether to count the events; default: when completed. A gh-datapipe job that completed
   * beside a failed GitHub read still shows its events; a GitHub-only item has none.
   */
  countEvents?: boolean;
}

export interface FinishedItem extends ItemChange {
  /** This item was the run's last open one: the run ended with it. */
  runFinished: boolean;
}

/**
 * Ends an item this worker holds and, when it was the run's last open one, the run, in one
 * statement. A completed item counts the events that arrived for its repository in the
 * window (owner and name case-insensitive: gh-datapipe may spell them differently from
 * GitHub; migration 0013's github_events_of_repository keeps it a range scan of gh-datapipe's
 * index over every spelling seen). The run's counters
 * are decremented under its row lock, which re-reads the latest row, so two workers ending
 * the last two items at once end the run exactly once. Null when the item is no longer
 * this worker's (cancelled, or taken over).
 *
 * It commits without waiting for the WAL flush: an end lost to a Postgres crash leaves the
 * item processing with its job id, and polling that job ends it again; nothing is
 * triggered twice.
 */
export async function finishItem(db: Queryable, f: FinishItem): Promise<FinishedItem | null> {
  const { rows } = await db.query<{ item: ItemRow; run: RunRow; finished: boolean }>(
    `with item as (
       update backfill_items i
          set status = $3::text, error = $4::text,
              events_found = case when $6::boolean then (
                select count(*)::int
                  from github_events_of_repository(i.owner, i.name,
                                                   now() - make_interval(days => $5::int))) end,
              progress = case when $3::text = 'completed' then 100 else i.progress end,
              finished_at = now(), locked_by = null, locked_until = null, updated_at = now()
        where i.id = $1::bigint and i.locked_by = $2::text and i.status = 'processing'
          and ${ASYNC_COMMIT}
       returning ${columnsOf(ITEM_COLUMNS, "i")}
     ),
     run as (
       update backfill_runs r
          set open_items = r.open_items - 1,
              failed_items = r.failed_items + (case when $3::text = 'failed' then 1 else 0 end),
              status = case
                when r.open_items > 1 then r.status
                when r.failed_items + (case when $3::text = 'failed' then 1 else 0 end) > 0 then 'failed'
                else 'completed' end,
              finished_at = case when r.open_items > 1 then r.finished_at else now() end,
              version = r.version + 1, updated_at = now()
         from item
        where r.id = item.run_id
       returning ${columnsOf(RUN_COLUMNS, "r")}, r.open_items = 0 as finished
     )
     select row_to_json(item) as item, row_to_json(run) as run, run.finished from item, run`,
    [f.itemId, f.workerId, f.status, f.error, f.days, f.countEvents ?? f.status === "completed"],
  );
  const row = rows[0];
  if (!row) return null;
  return { item: reviveItem(row.item), run: reviveRun(row.run), runFinished: row.finished };
}
