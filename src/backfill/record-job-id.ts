import type { Queryable } from "../db/index.js";
import { changeHeldItem, type ItemChange } from "./item-change.js";

/** Keeps the job id the moment the trigger returns: a restart then polls it, never re-triggers. */
export function recordJobId(
  db: Queryable,
  item: { itemId: number; workerId: string; jobId: string },
): Promise<ItemChange | null> {
  return changeHeldItem(db, "job_id = $3::text, progress = 0", [
    item.itemId,
    item.workerId,
    item.jobId,
  ]);
}
