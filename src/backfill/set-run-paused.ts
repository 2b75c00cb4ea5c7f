import type { Queryable } from "../db/index.js";

/** Pauses or resumes the workspace's active run; returns its id, or null when there is none. */
export async function setRunPaused(
  db: Queryable,
  installationId: number,
  paused: boolean,
): Promise<number | null> {
  const { rows } = await db.query<{ id: number }>(
    `update backfill_runs set paused = $2::boolean, version = version + 1, updated_at = now()
      where installation_id = $1::bigint and status in ('pending', 'processing')
        and paused <> $2::boolean
     returning id`,
    [installationId, paused],
  );
  return rows[0]?.id ?? null;
}
