import type { Queryable } from "../db/index.js";

/**
 * The one module that writes `workspace_pacing` (migration 0018): when each workspace may
 * send its next gh-datapipe trigger. The claim locks a workspace's row `for update`, so
 * the row is a mutex across replicas; it is moved forward by a lease's length while a
 * trigger is in flight, and by `BACKFILL_DELAY_MS` once the trigger returns.
 *
 * The statements of the claim path write the row in their own statement (one round trip),
 * so this module gives them SQL fragments; `ms` arguments are SQL expressions (a cast
 * parameter such as `$2::float8`), never values.
 */

const fromNow = (ms: string) => `now() + make_interval(secs => ${ms} / 1000)`;

/** SQL: joins the pacing row of the workspace `installationId` (an expression) as `alias`. */
export const joinPacing = (alias: string, installationId: string) =>
  `join workspace_pacing ${alias} on ${alias}.installation_id = ${installationId}`;

/** SQL: the joined workspace may trigger now. */
export const triggerDue = (alias: string) => `${alias}.next_trigger_at <= now()`;

/** SQL: when the joined workspace may trigger next (a timestamptz, maybe `-infinity`). */
export const nextTriggerAt = (alias: string) => `${alias}.next_trigger_at`;

/**
 * SQL, a data-modifying CTE `paced` for the claim: every claimed item (rows of `claimed`
 * with `installation_id` and `needs_trigger`) about to be triggered holds its workspace's
 * next trigger off for `leaseMs`, until the trigger returns and sets the real pause.
 */
export const holdAfterClaim = (claimed: string, leaseMs: string) => `paced as (
       update workspace_pacing p
          set next_trigger_at = ${fromNow(leaseMs)}
         from ${claimed} c
        where p.installation_id = c.installation_id and c.needs_trigger
       returning 1
     )`;

/**
 * SQL, a data-modifying CTE `held` for a lease renewal: while a trigger is in flight (its
 * workspace `installationId`, null when none), the next one stays held off for `leaseMs`
 * more, provided `renewed` (a CTE name) has a row.
 */
export const holdWhileTriggering = (installationId: string, leaseMs: string, renewed: string) =>
  `held as (
       update workspace_pacing
          set next_trigger_at = greatest(next_trigger_at, ${fromNow(leaseMs)})
        where installation_id = ${installationId} and exists (select 1 from ${renewed})
       returning 1
     )`;

/** SQL: the workspace's pause of `delayMs` starts now. */
const pause = (installationId: string, delayMs: string) =>
  `update workspace_pacing set next_trigger_at = ${fromNow(delayMs)}
    where installation_id = ${installationId}`;

/** SQL, a data-modifying CTE `paced`: the workspace's pause of `delayMs` starts now. */
export const pauseFromNow = (installationId: string, delayMs: string) =>
  `paced as (${pause(installationId, delayMs)} returning 1)`;

/**
 * Sets when the workspace may trigger next: `delayMs` from now after a trigger call, or
 * now when the claimed item failed before any call was made.
 */
export async function paceWorkspace(
  db: Queryable,
  installationId: number,
  delayMs: number,
): Promise<void> {
  await db.query(pause("$1::bigint", "$2::float8"), [installationId, delayMs]);
}

/**
 * Gives the workspace its pacing row if it has none (free to trigger at once), in the
 * transaction that creates its run: the claim joins and locks the row.
 */
export async function ensurePacing(db: Queryable, installationId: number): Promise<void> {
  await db.query(
    `insert into workspace_pacing (installation_id) values ($1::bigint)
     on conflict (installation_id) do nothing`,
    [installationId],
  );
}
