import type { Db, Queryable } from "../db/index.js";
import { recordDelivery } from "../workspaces/record-delivery.js";
import { ensurePacing } from "./pacing-store.js";
import type { DataSource, RepositoryRef, TriggerSource } from "./types.js";

/** A request the engine refuses; its message can be shown to the user as it is. */
export class RunRequestError extends Error {
  override name = "RunRequestError";
}

export interface NewRun {
  installationId: number;
  days: number;
  /** Where the run reads; omitted → gh-datapipe only. */
  sources?: DataSource[] | undefined;
  /** `/backfill all`: GitHub's whole history. */
  fullHistory?: boolean | undefined;
  source: TriggerSource;
  requestedBy: string | null;
  /** Omitted → every repository of the workspace, in the order GitHub listed them. */
  repositories?: RepositoryRef[] | undefined;
  deliveryId?: string | undefined;
  event?: string | undefined;
  action?: string | null | undefined;
}

/**
 * `created`: a new run; `active`: the workspace already had one, `runId` is it;
 * `duplicate`: the delivery had been recorded before, nothing was created and it needs no answer.
 */
export interface CreatedRun {
  runId: number;
  kind: "created" | "active" | "duplicate";
}

/**
 * Records the delivery (when there is one) and creates the run with its items, in one
 * transaction. A redelivery, or a workspace that already has an active run, creates
 * nothing and answers with the run that stands; a redelivery says `duplicate`.
 */
export function createRun(db: Db, run: NewRun): Promise<CreatedRun> {
  checkDays(run.days);
  return db.transaction(async (tx) => {
    const seen = await recordRequestDelivery(tx, run);
    if (seen) return seen;
    const paused = await workspaceIsSuspended(tx, run.installationId);
    const repositories = run.repositories ?? (await workspaceRepositories(tx, run.installationId));
    return insertRun(tx, run, repositories, paused, null);
  });
}

/**
 * A new run of the failed items of the workspace's last run; null when that run has no
 * failures. While the last run is still active, answers with it instead.
 */
export function createRetryRun(
  db: Db,
  installationId: number,
  request: Omit<NewRun, "installationId" | "days" | "repositories" | "source" | "fullHistory">,
): Promise<CreatedRun | null> {
  return db.transaction(async (tx) => {
    const seen = await recordRequestDelivery(tx, { ...request, installationId });
    if (seen) return seen;
    const { rows } = await tx.query<{
      id: number;
      days: number;
      full_history: boolean;
      active: boolean;
    }>(
      `select id, days, full_history, status in ('pending', 'processing') as active
         from backfill_runs where installation_id = $1::bigint order by id desc limit 1`,
      [installationId],
    );
    const last = rows[0];
    if (!last) return null;
    if (last.active) return { runId: last.id, kind: "active" };
    const failed = await tx.query<{ owner: string; name: string; repository_id: number | null }>(
      `select owner, name, repository_id from backfill_items
        where run_id = $1::bigint and status = 'failed' order by position`,
      [last.id],
    );
    if (failed.rows.length === 0) return null;
    const paused = await workspaceIsSuspended(tx, installationId);
    const repositories = failed.rows.map((r) => ({
      owner: r.owner,
      name: r.name,
      repositoryId: r.repository_id,
    }));
    return insertRun(
      tx,
      {
        ...request,
        installationId,
        days: last.days,
        fullHistory: last.full_history,
        source: "retry",
      },
      repositories,
      paused,
      last.id,
    );
  });
}

function checkDays(days: number) {
  if (!Number.isInteger(days) || days < 1 || days > 365) {
    throw new RunRequestError(`Days must be a whole number from 1 to 365, not ${days}`);
  }
}

/** The run a delivery already caused (or the one standing), when the delivery was seen. */
async function recordRequestDelivery(
  tx: Queryable,
  run: Pick<NewRun, "installationId" | "deliveryId" | "event" | "action">,
): Promise<CreatedRun | null> {
  if (!run.deliveryId) return null;
  const fresh = await recordDelivery(tx, {
    id: run.deliveryId,
    event: run.event ?? "unknown",
    action: run.action,
    installationId: run.installationId,
  });
  if (fresh) return null;
  const { rows } = await tx.query<{ id: number }>(
    `select id from backfill_runs
      where delivery_id = $1::text
         or (installation_id = $2::bigint and status in ('pending', 'processing'))
      order by (delivery_id = $1::text) desc nulls last, id desc
      limit 1`,
    [run.deliveryId, run.installationId],
  );
  const standing =
    rows[0] ??
    (
      await tx.query<{ id: number }>(
        "select id from backfill_runs where installation_id = $1::bigint order by id desc limit 1",
        [run.installationId],
      )
    ).rows[0];
  if (!standing) throw new RunRequestError(`Delivery ${run.deliveryId} was already handled`);
  return { runId: standing.id, kind: "duplicate" };
}

async function workspaceIsSuspended(tx: Queryable, installationId: number): Promise<boolean> {
  const { rows } = await tx.query<{ status: string }>(
    "select status from workspaces where installation_id = $1::bigint",
    [installationId],
  );
  const status = rows[0]?.status;
  if (!status) throw new RunRequestError(`Workspace ${installationId} is not known`);
  if (status === "deleted") {
    throw new RunRequestError(`Workspace ${installationId} has been uninstalled`);
  }
  // A suspended installation's run is recorded now and triggers once it is unsuspended.
  return status === "suspended";
}

async function workspaceRepositories(
  tx: Queryable,
  installationId: number,
): Promise<RepositoryRef[]> {
  const { rows } = await tx.query<{ owner: string; name: string; repository_id: number }>(
    `select owner, name, repository_id from workspace_repositories
      where installation_id = $1::bigint order by position`,
    [installationId],
  );
  return rows.map((r) => ({ owner: r.owner, name: r.name, repositoryId: r.repository_id }));
}

async function insertRun(
  tx: Queryable,
  run: NewRun,
  repositories: RepositoryRef[],
  paused: boolean,
  retryOf: number | null,
): Promise<CreatedRun> {
  // One item per repository: the same name twice (any case) would be back-filled twice.
  const seen = new Set<string>();
  const unique = repositories.filter((r) => {
    const key = `${r.owner}/${r.name}`.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length === 0) throw new RunRequestError("There are no repositories to back-fill");
  // The workspace's active run may end between the insert's conflict and the look-up (a
  // run whose repositories fail at once): then the insert is tried again, and now succeeds.
  let runId: number | undefined;
  for (let attempt = 0; runId === undefined; attempt++) {
    const { rows } = await tx.query<{ id: number }>(
      `insert into backfill_runs
         (installation_id, days, source, requested_by, retry_of, paused, delivery_id, open_items,
          sources, full_history)
       values ($1::bigint, $2::int, $3::text, $4::text, $5::bigint, $6::boolean, $7::text, $8::int,
               $9::text[], $10::boolean)
       on conflict (installation_id) where status in ('pending', 'processing') do nothing
       returning id`,
      [
        run.installationId,
        run.days,
        run.source,
        run.requestedBy,
        retryOf,
        paused,
        run.deliveryId ?? null,
        unique.length,
        run.sources ?? ["datapipe"],
        run.fullHistory ?? false,
      ],
    );
    runId = rows[0]?.id;
    if (runId !== undefined) break;
    const active = await tx.query<{ id: number }>(
      `select id from backfill_runs
        where installation_id = $1::bigint and status in ('pending', 'processing')`,
      [run.installationId],
    );
    const activeId = active.rows[0]?.id;
    if (activeId !== undefined) return { runId: activeId, kind: "active" };
    if (attempt >= 2) throw new Error("The workspace's active run kept changing; try again");
  }
  await tx.query(
    `insert into backfill_items (run_id, position, owner, name, repository_id)
     select $1::bigint, r.position::int, r.owner, r.name, r.repository_id
       from unnest($2::text[], $3::text[], $4::bigint[]) with ordinality
            as r(owner, name, repository_id, position)`,
    [
      runId,
      unique.map((r) => r.owner),
      unique.map((r) => r.name),
      unique.map((r) => r.repositoryId ?? null),
    ],
  );
  await ensurePacing(tx, run.installationId);
  return { runId, kind: "created" };
}
