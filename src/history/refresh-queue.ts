import type { Queryable } from "../db/index.js";

/**
 * `github_refresh_queue` (migration 0011), written only here: one row per repository whose
 * newest GitHub figures are to be read again.
 */

export interface RefreshRequest {
  installationId: number;
  owner: string;
  name: string;
}

/**
 * A `star` or `fork` webhook's whole work: asks for a read at `now + debounceMs`, once per
 * repository however many webhooks arrive before it (the first sets the time; later ones
 * leave it, so a steady stream cannot postpone the read forever). One that arrives while
 * the read is under way marks the row so the read happens once more. Only repositories of
 * an active workspace are recorded: false for any other.
 */
export async function recordRefresh(
  db: Queryable,
  request: RefreshRequest,
  at: { nowMs: number; debounceMs: number },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `insert into github_refresh_queue as q (owner_key, name_key, installation_id, owner, name, due_at)
     select lower($2::text), lower($3::text), $1::bigint, $2::text, $3::text,
            to_timestamp($4::float8 / 1000)
      where exists (
        select 1 from workspace_repositories r join workspaces w using (installation_id)
         where r.installation_id = $1::bigint and w.status = 'active'
           and lower(r.owner) = lower($2::text) and lower(r.name) = lower($3::text))
     on conflict (owner_key, name_key) do update set again = q.again or q.claimed`,
    [request.installationId, request.owner, request.name, at.nowMs + at.debounceMs],
  );
  return rowCount > 0;
}

/**
 * Claims up to `limit` due reads for this sweeper, in one statement: rows whose time has
 * come, or whose claim (a sweeper that died mid-read) ran out. `skip locked` lets replicas
 * sweep side by side without taking the same row; the claim holds until `leaseMs` passes.
 */
export async function claimRefreshes(
  db: Queryable,
  options: { nowMs: number; leaseMs: number; limit: number },
): Promise<(RefreshRequest & { dueAt: Date })[]> {
  const { rows } = await db.query<{
    installation_id: number;
    owner: string;
    name: string;
    due_at: Date;
  }>(
    `with due as (
       select owner_key, name_key from github_refresh_queue
        where due_at <= to_timestamp($1::float8 / 1000)
        order by due_at
        limit $3::int
        for update skip locked
     )
     update github_refresh_queue q
        set claimed = true, again = false, due_at = to_timestamp(($1::float8 + $2::float8) / 1000)
       from due
      where q.owner_key = due.owner_key and q.name_key = due.name_key
     returning q.installation_id, q.owner, q.name, q.due_at`,
    [options.nowMs, options.leaseMs, options.limit],
  );
  return rows.map((r) => ({
    installationId: r.installation_id,
    owner: r.owner,
    name: r.name,
    dueAt: new Date(r.due_at),
  }));
}

/**
 * A claimed read is over: the row goes, unless a webhook came meanwhile; then it is due
 * again `debounceMs` from now. Matching the claim's `due_at` leaves a row another sweeper
 * took over alone.
 */
export async function finishRefresh(
  db: Queryable,
  claimed: RefreshRequest & { dueAt: Date },
  at: { nowMs: number; debounceMs: number },
): Promise<void> {
  const key = [claimed.owner, claimed.name, claimed.dueAt];
  await db.query(
    `delete from github_refresh_queue
      where owner_key = lower($1::text) and name_key = lower($2::text) and due_at = $3::timestamptz
        and claimed and not again`,
    key,
  );
  await db.query(
    `update github_refresh_queue
        set claimed = false, again = false, due_at = to_timestamp($4::float8 / 1000)
      where owner_key = lower($1::text) and name_key = lower($2::text) and due_at = $3::timestamptz
        and claimed and again`,
    [...key, at.nowMs + at.debounceMs],
  );
}
