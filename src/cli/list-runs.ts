import type { ItemStatus, RunStatus } from "../backfill/types.js";
import type { Queryable } from "../db/index.js";

export interface ListedItem {
  fullName: string;
  status: ItemStatus;
  eventsFound: number | null;
  error: string | null;
}

export interface ListedRun {
  id: number;
  installationId: number;
  accountLogin: string;
  status: RunStatus;
  days: number;
  source: string;
  requestedBy: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  items: ListedItem[];
}

/**
 * The most recent runs, newest first, of one workspace or of all, each with its items,
 * in one statement.
 */
export async function listRuns(
  db: Queryable,
  options: { installationId?: number | undefined; limit: number },
): Promise<ListedRun[]> {
  const { rows } = await db.query<{
    id: number;
    installation_id: number;
    account_login: string;
    status: RunStatus;
    days: number;
    source: string;
    requested_by: string | null;
    created_at: Date | string;
    finished_at: Date | string | null;
    items:
      | {
          full_name: string;
          status: ItemStatus;
          events_found: number | null;
          error: string | null;
        }[]
      | null;
  }>(
    `select r.id, r.installation_id, w.account_login, r.status, r.days, r.source,
            r.requested_by, r.created_at, r.finished_at,
            (select json_agg(json_build_object(
                      'full_name', i.owner || '/' || i.name, 'status', i.status,
                      'events_found', i.events_found, 'error', i.error)
                    order by i.position)
               from backfill_items i where i.run_id = r.id) as items
       from backfill_runs r
       join workspaces w on w.installation_id = r.installation_id
      where $1::bigint is null or r.installation_id = $1::bigint
      order by r.id desc
      limit $2::int`,
    [options.installationId ?? null, options.limit],
  );
  return rows.map((r) => ({
    id: r.id,
    installationId: r.installation_id,
    accountLogin: r.account_login,
    status: r.status,
    days: r.days,
    source: r.source,
    requestedBy: r.requested_by,
    createdAt: new Date(r.created_at),
    finishedAt: r.finished_at === null ? null : new Date(r.finished_at),
    items: (r.items ?? []).map((i) => ({
      fullName: i.full_name,
      status: i.status,
      eventsFound: i.events_found,
      error: i.error,
    })),
  }));
}

export async function workspaceExists(db: Queryable, installationId: number): Promise<boolean> {
  const { rowCount } = await db.query(
    "select 1 from workspaces where installation_id = $1::bigint",
    [installationId],
  );
  return rowCount > 0;
}
