import type { Queryable } from "../db/index.js";

/**
 * Sets when the workspace may trigger next: `delayMs` from now after a trigger call, or
 * now when the claimed item failed before any call was made.
 */
export async function paceWorkspace(
  db: Queryable,
  installationId: number,
  delayMs: number,
): Promise<void> {
  await db.query(
    `update workspaces set next_trigger_at = now() + make_interval(secs => $2::float8 / 1000)
      where installation_id = $1::bigint`,
    [installationId, delayMs],
  );
}
