import type { Queryable } from "../db/index.js";
import { ASYNC_COMMIT } from "./async-commit.js";
import {
  columnsOf,
  ITEM_COLUMNS,
  type ItemRow,
  RUN_COLUMNS,
  type RunRow,
  reviveItem,
  reviveRun,
} from "./run-rows.js";

export interface ItemChange {
  item: ItemRow;
  run: RunRow;
}

/**
 * Updates an item this worker holds (`$1` item id, `$2` worker id, `set` using further
 * parameters) and bumps its run's version, in one statement. Null when the item is no
 * longer this worker's to write: cancelled, or its lease taken over.
 */
export async function changeHeldItem(
  db: Queryable,
  change: {
    set: string;
    params: unknown[];
    /** Further data-modifying CTEs run by the same statement (`name as (…),`). */
    alongside?: string;
    /** The write may be lost in a Postgres crash without harm (see `ASYNC_COMMIT`). */
    asyncCommit?: boolean;
  },
): Promise<ItemChange | null> {
  const { set, params, alongside = "" } = change;
  const { rows } = await db.query<{ item: ItemRow; run: RunRow }>(
    `with ${alongside} item as (
       update backfill_items i set ${set}, updated_at = now()
        where i.id = $1::bigint and i.locked_by = $2::text and i.status = 'processing'
          ${change.asyncCommit ? `and ${ASYNC_COMMIT}` : ""}
       returning ${columnsOf(ITEM_COLUMNS, "i")}
     ),
     run as (
       update backfill_runs r set version = r.version + 1, updated_at = now()
         from item where r.id = item.run_id
       returning ${columnsOf(RUN_COLUMNS, "r")}
     )
     select row_to_json(item) as item, row_to_json(run) as run from item, run`,
    params,
  );
  const row = rows[0];
  return row ? { item: reviveItem(row.item), run: reviveRun(row.run) } : null;
}
