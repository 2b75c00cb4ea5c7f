import type { Queryable } from "../db/index.js";

/**
 * Events that arrived for a repository in the back-filled window. Owner and name match
 * case-insensitively (gh-datapipe may spell them differently from GitHub); the expression
 * index of migration 0003 keeps it a range scan.
 */
export async function countEvents(
  db: Queryable,
  repository: { owner: string; name: string; days: number },
): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from github_events_cache
      where lower(repository_owner) = lower($1::text)
        and lower(repository_name) = lower($2::text)
        and created_at >= now() - make_interval(days => $3::int)`,
    [repository.owner, repository.name, repository.days],
  );
  return rows[0]?.n ?? 0;
}
