import type { Queryable } from "../db/index.js";

/**
 * Distinct actors (logins compared case-insensitively) of the repositories' events in
 * [from, to), exact.
 *
 * This is the one figure no rollup can answer exactly: distinct counts do not add up across
 * days or repositories, and a star is one event per person, so a per-actor rollup would be
 * as large as the events. It is read from the covering index (index-only, no table rows),
 * so its cost follows the events of the current window, not all events; see
 * bench/metrics.ts for the figures. A HyperLogLog sketch per repository-day would make it
 * follow repositories × days again at ~2% error; we keep the exact figure and let callers
 * that do not show it skip it (`uniqueActors: false`).
 */
export async function queryUniqueActors(
  db: Queryable,
  repositories: { ownerKey: string; nameKey: string }[],
  from: Date,
  to: Date,
): Promise<number> {
  const { rows } = await db.query<{ unique_actors: number }>(
    `select count(*)::int as unique_actors
       from (
         select distinct lower(e.actor_login)
           from unnest($1::text[], $2::text[]) as r (owner_key, name_key)
           join github_events_cache e
             on lower(e.repository_owner) = r.owner_key and lower(e.repository_name) = r.name_key
          where e.created_at >= $3::timestamptz and e.created_at < $4::timestamptz
            and e.actor_login is not null
       ) actors`,
    [
      repositories.map((r) => r.ownerKey),
      repositories.map((r) => r.nameKey),
      from.toISOString(),
      to.toISOString(),
    ],
  );
  return rows[0]?.unique_actors ?? 0;
}
