import type { Queryable } from "../db/index.js";

export interface RepositoryFactsRow {
  owner_key: string;
  name_key: string;
  first_event: string | null;
  last_event: string | null;
  star_events: number;
  fork_events: number;
}

const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * Per repository, the first and last cached event (two index probes each, whatever the
 * history) and its cached star and fork events of all time (one rollup row per day).
 */
export async function queryRepositoryFacts(
  db: Queryable,
  repositories: { ownerKey: string; nameKey: string }[],
): Promise<RepositoryFactsRow[]> {
  const { rows } = await db.query<RepositoryFactsRow>(
    `select r.owner_key, r.name_key,
            to_char((select min(e.created_at) from github_events_cache e
                      where lower(e.repository_owner) = r.owner_key
                        and lower(e.repository_name) = r.name_key) at time zone 'UTC', ${ISO_UTC})
              as first_event,
            to_char((select max(e.created_at) from github_events_cache e
                      where lower(e.repository_owner) = r.owner_key
                        and lower(e.repository_name) = r.name_key) at time zone 'UTC', ${ISO_UTC})
              as last_event,
            coalesce(t.star_events, 0)::int as star_events,
            coalesce(t.fork_events, 0)::int as fork_events
       from unnest($1::text[], $2::text[]) as r (owner_key, name_key)
       left join lateral (
         select sum(d.events) filter (where d.event_type = 'WatchEvent') as star_events,
                sum(d.events) filter (where d.event_type = 'ForkEvent') as fork_events
           from github_event_days d
          where d.owner_key = r.owner_key and d.name_key = r.name_key
       ) t on true`,
    [repositories.map((r) => r.ownerKey), repositories.map((r) => r.nameKey)],
  );
  return rows;
}
