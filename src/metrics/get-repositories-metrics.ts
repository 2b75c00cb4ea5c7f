import type { Queryable } from "../db/index.js";
import { computeMetrics } from "./compute-metrics.js";
import type { Metrics, MetricsOptions } from "./types.js";

const FULL_NAME = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/;

/** Splits `owner/name`; throws a RangeError naming the bad value otherwise. */
export function parseFullName(fullName: string): { owner: string; name: string } {
  const match = FULL_NAME.exec(fullName.trim());
  if (!match) throw new RangeError(`"${fullName}" is not a repository as owner/name`);
  return { owner: match[1]!, name: match[2]! };
}

/**
 * Metrics of repositories named as `owner/name`, workspace or not (the CLI's `metrics`
 * and `coverage`). Totals are GitHub's counts as the most recently added workspace row of
 * that repository knows them, else the cached events.
 */
export async function getRepositoriesMetrics(
  db: Queryable,
  fullNames: string[],
  options: MetricsOptions = {},
): Promise<Metrics> {
  const refs = fullNames.map(parseFullName);
  const { rows } = await db.query<{
    owner_key: string;
    name_key: string;
    stargazers_count: number | null;
    forks_count: number | null;
  }>(
    `select distinct on (lower(owner), lower(name))
            lower(owner) as owner_key, lower(name) as name_key, stargazers_count, forks_count
       from workspace_repositories
      where (lower(owner), lower(name)) in (
              select * from unnest($1::text[], $2::text[])
            )
      order by lower(owner), lower(name), added_at desc`,
    [refs.map((r) => r.owner.toLowerCase()), refs.map((r) => r.name.toLowerCase())],
  );
  const known = new Map(rows.map((r) => [`${r.owner_key}/${r.name_key}`, r]));
  return computeMetrics(
    db,
    refs.map((r) => {
      const row = known.get(`${r.owner.toLowerCase()}/${r.name.toLowerCase()}`);
      return {
        ...r,
        stargazersCount: row?.stargazers_count ?? null,
        forksCount: row?.forks_count ?? null,
      };
    }),
    options,
  );
}
