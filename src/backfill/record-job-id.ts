import type { Queryable } from "../db/index.js";
import { changeHeldItem, type ItemChange } from "./item-change.js";
import { pauseFromNow } from "./pacing-store.js";

/**
 * Keeps the job id the moment the trigger returns (a restart then polls it, never
 * re-triggers) and, in the same statement, starts the workspace's pause before its next
 * trigger. The pause is set even when the item was cancelled meanwhile: the call was made.
 */
export function recordJobId(
  db: Queryable,
  item: {
    itemId: number;
    workerId: string;
    jobId: string;
    installationId: number;
    delayMs: number;
  },
): Promise<ItemChange | null> {
  // A normal commit: this is the write that must survive a crash.
  return changeHeldItem(db, {
    set: "job_id = $3::text, progress = 0",
    params: [item.itemId, item.workerId, item.jobId, item.installationId, item.delayMs],
    alongside: `${pauseFromNow("$4::bigint", "$5::float8")},`,
  });
}
