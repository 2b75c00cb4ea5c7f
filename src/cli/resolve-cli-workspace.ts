import type { RepositoryRef } from "../backfill/types.js";
import type { Queryable } from "../db/index.js";
import { ensureOperatorWorkspace } from "../workspaces/index.js";
import { CliError } from "./cli-io.js";
import type { CliRepository } from "./parse-cli-arguments.js";

/** Installation id of the operator's own workspace; GitHub never issues 0. */
export const OPERATOR_WORKSPACE = 0;

export interface CliWorkspace {
  installationId: number;
  /** The repositories as the workspace spells them (with GitHub's ids when known). */
  repositories: RepositoryRef[];
}

/**
 * Which workspace a CLI back-fill belongs to. A run belongs to a workspace (one at a time
 * per workspace), so:
 *   - `--workspace ID` given: that workspace, which must hold every repository (0 is the
 *     operator's workspace, which holds anything);
 *   - else the installation that already holds all the repositories (lowest id if
 *     several), so the run shows on its dashboard and blocks a concurrent `/backfill` there;
 *   - else the operator's workspace, installation id 0, created on first use.
 */
export async function resolveCliWorkspace(
  db: Queryable,
  repositories: CliRepository[],
  requested?: number,
): Promise<CliWorkspace> {
  const owners = repositories.map((r) => r.owner.toLowerCase());
  const names = repositories.map((r) => r.name.toLowerCase());
  if (requested !== undefined && requested !== OPERATOR_WORKSPACE) {
    const { rows } = await db.query<{ status: string }>(
      "select status from workspaces where installation_id = $1::bigint",
      [requested],
    );
    if (!rows[0]) throw new CliError(`Workspace ${requested} is not known`);
    if (rows[0].status === "deleted") {
      throw new CliError(`Workspace ${requested} has been uninstalled`);
    }
    const found = await workspaceRepositories(db, requested, owners, names);
    const missing = repositories.filter(
      (r) =>
        !found.some(
          (f) =>
            f.owner.toLowerCase() === r.owner.toLowerCase() &&
            f.name.toLowerCase() === r.name.toLowerCase(),
        ),
    );
    if (missing.length > 0) {
      throw new CliError(
        `Not in workspace ${requested}: ${missing.map((r) => r.fullName).join(", ")}`,
      );
    }
    return { installationId: requested, repositories: inOrder(repositories, found) };
  }
  if (requested === undefined) {
    const { rows } = await db.query<{ installation_id: number }>(
      `select r.installation_id
         from workspace_repositories r
         join workspaces w on w.installation_id = r.installation_id
        where w.status <> 'deleted'
          and (lower(r.owner), lower(r.name)) in (select * from unnest($1::text[], $2::text[]))
        group by r.installation_id
       having count(*)::int = $3::int
        order by r.installation_id
        limit 1`,
      [owners, names, repositories.length],
    );
    const holder = rows[0]?.installation_id;
    if (holder !== undefined) {
      const found = await workspaceRepositories(db, holder, owners, names);
      return { installationId: holder, repositories: inOrder(repositories, found) };
    }
  }
  // The operator's workspace holds no repository rows: GitHub's ids are unknown here, and
  // runs name their repositories themselves.
  await ensureOperatorWorkspace(db, OPERATOR_WORKSPACE);
  return {
    installationId: OPERATOR_WORKSPACE,
    repositories: repositories.map((r) => ({ owner: r.owner, name: r.name, repositoryId: null })),
  };
}

async function workspaceRepositories(
  db: Queryable,
  installationId: number,
  owners: string[],
  names: string[],
): Promise<RepositoryRef[]> {
  const { rows } = await db.query<{ owner: string; name: string; repository_id: number }>(
    `select owner, name, repository_id from workspace_repositories
      where installation_id = $1::bigint
        and (lower(owner), lower(name)) in (select * from unnest($2::text[], $3::text[]))`,
    [installationId, owners, names],
  );
  return rows.map((r) => ({ owner: r.owner, name: r.name, repositoryId: r.repository_id }));
}

/** The workspace's spelling, in the order the operator named them. */
function inOrder(asked: CliRepository[], found: RepositoryRef[]): RepositoryRef[] {
  return asked.map(
    (a) =>
      found.find(
        (f) =>
          f.owner.toLowerCase() === a.owner.toLowerCase() &&
          f.name.toLowerCase() === a.name.toLowerCase(),
      )!,
  );
}
