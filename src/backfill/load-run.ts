import type { Queryable } from "../db/index.js";
import {
  ITEM_COLUMNS,
  type ItemRow,
  RUN_COLUMNS,
  type RunRow,
  reviveItem,
  reviveRun,
  toItemSnapshot,
  toRunSnapshot,
} from "./run-rows.js";
import type { RunSnapshot } from "./types.js";

export interface LoadedRun {
  snapshot: RunSnapshot;
  version: number;
}

/**
 * A run and its items read in one statement, so the items and the run's `version` come
 * from one snapshot of the database (the cache relies on it).
 */
export async function loadRun(db: Queryable, runId: number): Promise<LoadedRun | null> {
  const { rows } = await db.query<{ run: RunRow; items: ItemRow[] | null }>(
    `select row_to_json(r) as run,
            (select json_agg(i order by i.position)
               from (select ${ITEM_COLUMNS} from backfill_items where run_id = r.id) i) as items
       from (select ${RUN_COLUMNS} from backfill_runs where id = $1::bigint) r`,
    [runId],
  );
  const row = rows[0];
  if (!row) return null;
  // JSON carries timestamps as text; the snapshot promises Dates.
  const run = reviveRun(row.run);
  const items = (row.items ?? []).map((i) => toItemSnapshot(reviveItem(i)));
  return { snapshot: toRunSnapshot(run, items), version: run.version };
}

/** Id of the workspace's active (pending or processing) run. */
export async function findActiveRunId(
  db: Queryable,
  installationId: number,
): Promise<number | null> {
  const { rows } = await db.query<{ id: number }>(
    `select id from backfill_runs
      where installation_id = $1::bigint and status in ('pending', 'processing')`,
    [installationId],
  );
  return rows[0]?.id ?? null;
}

/** Id of the workspace's most recent run, active or not. */
export async function findLastRunId(db: Queryable, installationId: number): Promise<number | null> {
  const { rows } = await db.query<{ id: number }>(
    `select id from backfill_runs where installation_id = $1::bigint order by id desc limit 1`,
    [installationId],
  );
  return rows[0]?.id ?? null;
}
