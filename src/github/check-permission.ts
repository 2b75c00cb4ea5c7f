import { getPermission, type Octokit, type Repo } from "./github-api.js";

const MAY_COMMAND = new Set(["admin", "maintain", "write"]);

/**
 * Contract §3: write, maintain or admin may command. GitHub's `permission` field folds
 * maintain into `write` (and triage into `read`); `role_name` names the role itself.
 */
export async function mayCommand(octokit: Octokit, repo: Repo, username: string): Promise<boolean> {
  const found = await getPermission(octokit, repo, username);
  if (!found) return false;
  return (
    MAY_COMMAND.has(found.permission) ||
    (found.roleName !== null && MAY_COMMAND.has(found.roleName))
  );
}
