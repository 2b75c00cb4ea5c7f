import type { Queryable } from "../db/index.js";
import { ASYNC_COMMIT } from "./async-commit.js";
import { holdWhileTriggering } from "./pacing-store.js";

export interface RenewLease {
  itemId: number;
  workerId: string;
  leaseMs: number;
  /** While a trigger is in flight, the workspace's next trigger stays held off as well. */
  holdTriggersOf: number | null;
  /** Time the item's job has been watched in all, once it has a job; null before. */
  watchedMs: number | null;
}

/** False when the item is no longer this worker's: cancelled or taken over. */
export async function renewLease(db: Queryable, lease: RenewLease): Promise<boolean> {
  const { rows } = await db.query<{ id: number }>(
    `with item as (
       update backfill_items
          set locked_until = now() + make_interval(secs => $3::float8 / 1000),
              watched_ms = coalesce($5::bigint, watched_ms)
        where id = $1::bigint and locked_by = $2::text and status = 'processing'
          and ${ASYNC_COMMIT}
       returning id
     ),
     ${holdWhileTriggering("$4::bigint", "$3::float8", "item")}
     select id from item`,
    [lease.itemId, lease.workerId, lease.leaseMs, lease.holdTriggersOf, roundMs(lease.watchedMs)],
  );
  return rows.length > 0;
}

const roundMs = (ms: number | null) => (ms === null ? null : Math.round(ms));

/** Gives a held item back (the process is stopping): another worker may resume it at once. */
export async function releaseItem(
  db: Queryable,
  item: { itemId: number; workerId: string; watchedMs: number | null },
): Promise<void> {
  await db.query(
    `update backfill_items
        set locked_by = null, locked_until = null, watched_ms = coalesce($3::bigint, watched_ms)
      where id = $1::bigint and locked_by = $2::text and status = 'processing'`,
    [item.itemId, item.workerId, roundMs(item.watchedMs)],
  );
}

/** At start, a fixed worker id takes back what its previous life held, without waiting for expiry. */
export async function releaseWorkerLeases(db: Queryable, workerId: string): Promise<void> {
  await db.query(
    `update backfill_items set locked_until = null
      where locked_by = $1::text and status = 'processing'`,
    [workerId],
  );
}
