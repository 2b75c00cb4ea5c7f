import type { RunSnapshot } from "../backfill/types.js";
import type { Queryable } from "../db/index.js";
import { createCommentReaction, type Octokit } from "./github-api.js";

/** Contract §3: at the run's end, 🚀 (all completed) or 😕 on the comment that asked for it. */
export async function reactToCommand(
  db: Queryable,
  octokit: Octokit,
  run: RunSnapshot,
): Promise<void> {
  const { rows } = await db.query<{ owner: string; name: string; comment_id: number }>(
    `select r.owner, r.name, p.command_comment_id as comment_id
       from run_reports p
       join backfill_runs b on b.id = p.run_id
       join workspace_repositories r
         on r.installation_id = b.installation_id and r.repository_id = p.command_repository_id
      where p.run_id = $1::bigint and p.command_comment_id is not null`,
    [run.id],
  );
  const origin = rows[0];
  if (!origin) return;
  const content = run.total > 0 && run.completed === run.total ? "rocket" : "confused";
  await createCommentReaction(
    octokit,
    { owner: origin.owner, repo: origin.name },
    origin.comment_id,
    content,
  );
}
