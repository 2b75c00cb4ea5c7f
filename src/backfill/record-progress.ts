import type { Queryable } from "../db/index.js";
import { changeHeldItem, type ItemChange } from "./item-change.js";

export function recordProgress(
  db: Queryable,
  item: { itemId: number; workerId: string; progress: number },
): Promise<ItemChange | null> {
  return changeHeldItem(db, {
    set: "progress = $3::int",
    params: [item.itemId, item.workerId, item.progress],
    asyncCommit: true,
  });
}
