import type { Queryable } from "../db/index.js";
import {
  columnsOf,
  ITEM_COLUMNS,
  type ItemRow,
  RUN_COLUMNS,
  type RunRow,
  reviveItem,
  reviveRun,
} from "./run-rows.js";
import { ASYNC_COMMIT } from "./async-commit.js";
import type { ItemStatus } from "./types.js";
import { holdAfterClaim, joinPacing, triggerDue } from "./pacing-store.js";
import { leaseFree } from "./worker-presence.js";

export interface ClaimedItem {
  item: ItemRow;
  run: RunRow;
  previousStatus: ItemStatus;
  /** No job id yet: the item must be triggered (again, if a dead worker left it). */
  needsTrigger: boolean;
  /** How long some worker has watched the item's job so far (downtime excluded). */
  watchedMs: number;
}

export interface ClaimOptions {
  workerId: string;
  leaseMs: number;
  /** False while this process must not trigger: only items with a job id to poll qualify. */
  allowTrigger: boolean;
  /**
   * Unresolved jobs a workspace may have at once, whichever processes hold them
   * (`BACKFILL_CONCURRENCY`): with 1, a restart or a second replica never triggers a
   * workspace's next repository while an earlier one's job is still open.
   */
  inFlightLimit: number;
}

/**
 * SQL: runs that already have `limit` (a parameter) items in flight — a job open, or a
 * trigger under a live lease. An item whose worker died before its job id was recorded is
 * not in flight: it is claimed again and triggered anew.
 */
export const busyRuns = (limit: string) => `select o.run_id from backfill_items o
   where o.status = 'processing' and (o.job_id is not null or not ${leaseFree("o")})
   group by o.run_id having count(*) >= ${limit}`;

/**
 * Claims one item in one statement: an item with a job id whose lease is free (its worker
 * is gone or let it lapse: its poll resumes, even while the run is paused), else the first
 * pending item of the oldest run whose workspace may trigger now and has room in flight.
 * `skip locked` lets replicas claim side by side; locking the workspace's pacing row too
 * makes it a mutex, moved forward here by a lease's length until the trigger returns and
 * sets the real pause.
 *
 * Both look-ups walk an index in claim order and stop at the first fit (the open-items
 * index for `fresh`, the processing-items index of migration 0003 for `resumable`), so a
 * claim costs the same on the first and the thousandth item of a run.
 */
export async function claimItem(db: Queryable, options: ClaimOptions): Promise<ClaimedItem | null> {
  const { rows } = await db.query<{
    item: ItemRow;
    run: RunRow;
    previous_status: ItemStatus;
    needs_trigger: boolean;
    watched_ms: number;
  }>(
    `with resumable as (
       select i.id, i.status as previous_status, false as needs_trigger, r.installation_id
         from backfill_items i
         join backfill_runs r on r.id = i.run_id
        where i.status = 'processing' and i.job_id is not null
          and ${leaseFree("i")}
          and r.status in ('pending', 'processing')
        order by i.run_id, i.position
        limit 1
        for update of i skip locked
     ),
     fresh as (
       select i.id, i.status as previous_status, true as needs_trigger, r.installation_id
         from backfill_items i
         join backfill_runs r on r.id = i.run_id
         ${joinPacing("p", "r.installation_id")}
        where $3::boolean and not exists (select 1 from resumable)
          and i.status in ('pending', 'processing') and i.job_id is null
          and ${leaseFree("i")}
          and r.status in ('pending', 'processing') and not r.paused
          and ${triggerDue("p")}
          and i.run_id not in (${busyRuns("$4::int")})
        order by i.run_id, i.position
        limit 1
        for update of i, p skip locked
     ),
     candidate as (
       select * from resumable
       union all
       select * from fresh
     ),
     claimed as (
       update backfill_items i
          set status = 'processing', locked_by = $1::text,
              locked_until = now() + make_interval(secs => $2::float8 / 1000),
              started_at = coalesce(i.started_at, now()), updated_at = now()
         from candidate c
        where i.id = c.id and ${ASYNC_COMMIT}
       returning ${columnsOf(ITEM_COLUMNS, "i")}, i.watched_ms, c.previous_status, c.needs_trigger,
                 c.installation_id
     ),
     ${holdAfterClaim("claimed", "$2::float8")},
     run as (
       update backfill_runs r
          set status = case when r.status = 'pending' then 'processing' else r.status end,
              started_at = coalesce(r.started_at, now()),
              version = r.version + 1, updated_at = now()
         from claimed c
        where r.id = c.run_id
       returning ${columnsOf(RUN_COLUMNS, "r")}
     )
     select row_to_json(claimed) as item, row_to_json(run) as run,
            claimed.previous_status, claimed.needs_trigger, claimed.watched_ms
       from claimed, run`,
    [options.workerId, options.leaseMs, options.allowTrigger, options.inFlightLimit],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    item: reviveItem(row.item),
    run: reviveRun(row.run),
    previousStatus: row.previous_status,
    needsTrigger: row.needs_trigger,
    watchedMs: Number(row.watched_ms),
  };
}
