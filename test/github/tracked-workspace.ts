import type { Db } from "../../src/db/index.js";
import { FakeGitHub } from "../fakes/fake-github.js";

export const INSTALLATION = 2;
export const HELLO = { id: 186853002, owner: "Codertocat", name: "Hello-World" };
export const OTHER = { id: 2002, owner: "Codertocat", name: "other" };

/**
 * A workspace of two repositories whose tracking issue (#1 of Hello-World) already exists,
 * in the database and on a fresh fake GitHub, which is returned.
 */
export async function seedTrackedWorkspace(db: Db): Promise<FakeGitHub> {
  await db.query(
    `insert into workspaces (installation_id, account_login, tracking_repository_id, tracking_issue_number)
     values ($1::bigint, 'Codertocat', $2::bigint, 1)`,
    [INSTALLATION, HELLO.id],
  );
  await db.query(
    `insert into workspace_repositories (installation_id, repository_id, owner, name)
     values ($1::bigint, $2::bigint, $3::text, $4::text), ($1::bigint, $5::bigint, $6::text, $7::text)`,
    [INSTALLATION, HELLO.id, HELLO.owner, HELLO.name, OTHER.id, OTHER.owner, OTHER.name],
  );
  const fake = new FakeGitHub();
  fake.addRepo(HELLO).addRepo(OTHER);
  fake.addIssue(HELLO.owner, HELLO.name, {
    number: 1,
    title: "Workspace backfill",
    labels: ["workspace-backfill"],
    body: "",
  });
  return fake;
}
