import type { Queryable } from "../db/index.js";

/** GitHub's characters for an owner or a repository name. */
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * The repository's `owner/name` as GitHub spells it, when an active workspace has it and
 * no workspace row says it is private; null for everything else (unknown, removed, private,
 * a workspace deleted or suspended — a suspended installation hears no `repository`
 * events, so its view of `private` may be stale). One row is enough to answer private:
 * GitHub's flag belongs to the repository, so a single row saying so wins.
 */
export async function findPublicRepository(
  db: Queryable,
  owner: string,
  name: string,
): Promise<string | null> {
  if (!NAME.test(owner) || !NAME.test(name)) return null;
  const { rows } = await db.query<{ full_name: string | null }>(
    `select (array_agg(r.owner || '/' || r.name order by r.added_at desc)
               filter (where w.status = 'active'))[1] as full_name
       from workspace_repositories r
       join workspaces w on w.installation_id = r.installation_id
      where lower(r.owner) = lower($1::text) and lower(r.name) = lower($2::text)
     having bool_and(not r.private)`,
    [owner, name],
  );
  return rows[0]?.full_name ?? null;
}
