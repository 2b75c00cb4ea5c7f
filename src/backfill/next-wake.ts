import type { Queryable } from "../db/index.js";
import { busyRuns } from "./claim-item.js";
import { joinPacing, nextTriggerAt } from "./pacing-store.js";

/**
 * Milliseconds until this worker may find something to claim: a workspace's pause ending,
 * or another worker's lease expiring. Null when no active run has open items. A run with
 * `inFlightLimit` jobs open waits for one to end, not for its pause.
 */
export async function nextWakeMs(
  db: Queryable,
  workerId: string,
  inFlightLimit: number,
): Promise<number | null> {
  const { rows } = await db.query<{ wait_ms: number | null }>(
    `select (extract(epoch from least(
               (select min(greatest(${nextTriggerAt("p")}, now()))
                  from backfill_runs r
                  ${joinPacing("p", "r.installation_id")}
                 where r.status in ('pending', 'processing') and not r.paused
                   and r.id not in (${busyRuns("$2::int")})
                   and exists (select 1 from backfill_items i
                                where i.run_id = r.id and i.status = 'pending')),
               (select min(greatest(i.locked_until, now()))
                  from backfill_items i
                  join backfill_runs r on r.id = i.run_id
                 where i.status = 'processing' and r.status in ('pending', 'processing')
                   and i.locked_by is distinct from $1::text)
             ) - now()) * 1000)::float8 as wait_ms`,
    [workerId, inFlightLimit],
  );
  return rows[0]?.wait_ms ?? null;
}
