import type { Queryable } from "../db/index.js";
import { nextDue, scheduleKey } from "./next-due.js";
import type { WorkspaceSettings } from "./workspace-settings.js";

export type FiringOutcome = "started" | "skipped" | "nothing";

export interface DueSchedule {
  installationId: number;
  scheduleKey: string;
  dueAt: Date;
}

export interface ScheduleView {
  scheduleKey: string;
  nextDueAt: Date | null;
  lastDueAt: Date | null;
  lastOutcome: FiringOutcome | null;
  lastRunId: number | null;
  skippedDueAt: Date | null;
  skippedRunId: number | null;
}

/**
 * Keeps the schedule row in step with the settings (this module is the only writer of
 * `schedule_state`). An unchanged schedule keeps its next due time, so re-reading the file
 * never moves or repeats a firing; a new one (or one stopped with its workspace) starts from
 * the next due time after `now`.
 */
export async function syncSchedule(
  db: Queryable,
  installationId: number,
  settings: WorkspaceSettings,
  now: Date,
): Promise<void> {
  if (!settings.schedule) {
    await db.query("delete from schedule_state where installation_id = $1::bigint", [
      installationId,
    ]);
    return;
  }
  const key = scheduleKey(settings.schedule, settings.timezone);
  await db.query(
    `insert into schedule_state (installation_id, schedule_key, next_due_at)
     values ($1::bigint, $2::text, $3::timestamptz)
     on conflict (installation_id) do update
       set schedule_key = excluded.schedule_key, next_due_at = excluded.next_due_at,
           updated_at = now()
       where schedule_state.schedule_key <> excluded.schedule_key
          or schedule_state.next_due_at is null`,
    [installationId, key, nextDue(settings.schedule, settings.timezone, now)],
  );
}

/**
 * Takes up to `limit` schedules due by `now` with a lease. The row lock makes a second
 * replica skip the row, the lease makes a crashed claimer's row free again after `leaseMs`.
 */
export async function claimDueSchedules(
  db: Queryable,
  claim: { now: Date; workerId: string; leaseMs: number; limit: number },
): Promise<DueSchedule[]> {
  const { rows } = await db.query<{
    installation_id: number;
    schedule_key: string;
    next_due_at: Date;
  }>(
    `update schedule_state s
        set locked_by = $2::text,
            locked_until = $1::timestamptz + make_interval(secs => $3::double precision),
            updated_at = now()
      where s.installation_id in (
              select installation_id from schedule_state
               where next_due_at <= $1::timestamptz
                 and (locked_until is null or locked_until <= $1::timestamptz)
               order by next_due_at
               limit $4::int
               for update skip locked)
     returning s.installation_id, s.schedule_key, s.next_due_at`,
    [claim.now, claim.workerId, claim.leaseMs / 1000, claim.limit],
  );
  return rows.map((r) => ({
    installationId: Number(r.installation_id),
    scheduleKey: r.schedule_key,
    dueAt: new Date(r.next_due_at),
  }));
}

/**
 * Records what a firing did and moves the schedule to its next due time, when the row is
 * still this worker's and its schedule the one claimed (a push may have changed it since:
 * then only the lease is given back).
 */
/** The row still holds the schedule and due time that were claimed. */
const SAME = "(schedule_key = $4::text and next_due_at = $3::timestamptz)";

export async function finishFiring(
  db: Queryable,
  f: DueSchedule & {
    workerId: string;
    nextDueAt: Date | null;
    outcome: FiringOutcome | null;
    runId: number | null;
  },
): Promise<void> {
  await db.query(
    // Every SET expression sees the row as it was, so `same` is judged before the move.
    `update schedule_state
        set locked_by = null, locked_until = null, updated_at = now(),
            next_due_at = case when ${SAME} then $5::timestamptz else next_due_at end,
            last_due_at = case when ${SAME} and $6::text is not null then $3::timestamptz else last_due_at end,
            last_outcome = case when ${SAME} and $6::text is not null then $6::text else last_outcome end,
            last_run_id = case when ${SAME} and $6::text is not null then $7::bigint else last_run_id end,
            skipped_due_at = case when ${SAME} and $6::text = 'skipped' then $3::timestamptz else skipped_due_at end,
            skipped_run_id = case when ${SAME} and $6::text = 'skipped' then $7::bigint else skipped_run_id end
      where installation_id = $1::bigint and locked_by = $2::text`,
    [f.installationId, f.workerId, f.dueAt, f.scheduleKey, f.nextDueAt, f.outcome, f.runId],
  );
}

export async function loadScheduleView(
  db: Queryable,
  installationId: number,
): Promise<ScheduleView | null> {
  const { rows } = await db.query<{
    schedule_key: string;
    next_due_at: Date | null;
    last_due_at: Date | null;
    last_outcome: FiringOutcome | null;
    last_run_id: number | null;
    skipped_due_at: Date | null;
    skipped_run_id: number | null;
  }>(
    `select schedule_key, next_due_at, last_due_at, last_outcome, last_run_id, skipped_due_at,
            skipped_run_id
       from schedule_state where installation_id = $1::bigint`,
    [installationId],
  );
  const r = rows[0];
  if (!r) return null;
  const date = (d: Date | null) => (d ? new Date(d) : null);
  return {
    scheduleKey: r.schedule_key,
    nextDueAt: date(r.next_due_at),
    lastDueAt: date(r.last_due_at),
    lastOutcome: r.last_outcome,
    lastRunId: r.last_run_id === null ? null : Number(r.last_run_id),
    skippedDueAt: date(r.skipped_due_at),
    skippedRunId: r.skipped_run_id === null ? null : Number(r.skipped_run_id),
  };
}
