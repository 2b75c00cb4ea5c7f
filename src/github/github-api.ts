import type { ProbotOctokit } from "probot";

/**
 * Every GitHub REST call the surfaces make, one function each, so the routes are listed in
 * one place (`ROUTES`) and a test checks them against GitHub's published REST description.
 */
export type Octokit = Pick<ProbotOctokit, "request">;

export const ROUTES = {
  getPermission: "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
  createCommentReaction: "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
  createComment: "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
  updateComment: "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
  getIssue: "GET /repos/{owner}/{repo}/issues/{issue_number}",
  updateIssue: "PATCH /repos/{owner}/{repo}/issues/{issue_number}",
  createIssue: "POST /repos/{owner}/{repo}/issues",
  listIssues: "GET /repos/{owner}/{repo}/issues",
  getLabel: "GET /repos/{owner}/{repo}/labels/{name}",
  createLabel: "POST /repos/{owner}/{repo}/labels",
  getRepository: "GET /repos/{owner}/{repo}",
  getBranch: "GET /repos/{owner}/{repo}/branches/{branch}",
  createCheckRun: "POST /repos/{owner}/{repo}/check-runs",
  updateCheckRun: "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
} as const;

export interface Repo {
  owner: string;
  repo: string;
}

export function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

/** `permission` is admin/write/read/none; `role_name` also says maintain, triage or a custom role. */
export async function getPermission(
  octokit: Octokit,
  repo: Repo,
  username: string,
): Promise<{ permission: string; roleName: string | null } | null> {
  try {
    const { data } = await octokit.request(ROUTES.getPermission, { ...repo, username });
    return { permission: data.permission, roleName: data.role_name ?? null };
  } catch (err) {
    // Not a collaborator (or the user is gone): no permission.
    if (statusOf(err) === 404) return null;
    throw err;
  }
}

export type Reaction = "eyes" | "rocket" | "confused";

export async function createCommentReaction(
  octokit: Octokit,
  repo: Repo,
  commentId: number,
  content: Reaction,
): Promise<void> {
  await octokit.request(ROUTES.createCommentReaction, { ...repo, comment_id: commentId, content });
}

export async function createComment(
  octokit: Octokit,
  repo: Repo,
  issueNumber: number,
  body: string,
): Promise<{ id: number; htmlUrl: string }> {
  const { data } = await octokit.request(ROUTES.createComment, {
    ...repo,
    issue_number: issueNumber,
    body,
  });
  return { id: Number(data.id), htmlUrl: data.html_url };
}

export async function updateComment(
  octokit: Octokit,
  repo: Repo,
  commentId: number,
  body: string,
): Promise<void> {
  await octokit.request(ROUTES.updateComment, { ...repo, comment_id: commentId, body });
}

export async function getDefaultHeadSha(octokit: Octokit, repo: Repo): Promise<string | null> {
  const { data } = await octokit.request(ROUTES.getRepository, { ...repo });
  try {
    const branch = await octokit.request(ROUTES.getBranch, {
      ...repo,
      branch: data.default_branch,
    });
    return branch.data.commit.sha;
  } catch (err) {
    if (statusOf(err) === 404) return null;
    throw err;
  }
}

export interface CheckRunAction {
  label: string;
  identifier: string;
  description: string;
}

export interface CheckRunOutput {
  title: string;
  summary: string;
}

export async function createCheckRun(
  octokit: Octokit,
  repo: Repo,
  input: {
    name: string;
    headSha: string;
    status: "in_progress" | "completed";
    conclusion?: "success" | "neutral" | "failure";
    output: CheckRunOutput;
    actions: CheckRunAction[];
    externalId: string;
  },
): Promise<{ id: number }> {
  const { data } = await octokit.request(ROUTES.createCheckRun, {
    ...repo,
    name: input.name,
    head_sha: input.headSha,
    status: input.status,
    external_id: input.externalId,
    output: input.output,
    actions: input.actions,
    ...(input.conclusion
      ? { conclusion: input.conclusion, completed_at: new Date().toISOString() }
      : { started_at: new Date().toISOString() }),
  });
  return { id: Number(data.id) };
}

export async function updateCheckRun(
  octokit: Octokit,
  repo: Repo,
  checkRunId: number,
  input: {
    status: "in_progress" | "completed";
    conclusion?: "success" | "neutral" | "failure";
    output: CheckRunOutput;
    actions: CheckRunAction[];
  },
): Promise<void> {
  await octokit.request(ROUTES.updateCheckRun, {
    ...repo,
    check_run_id: checkRunId,
    status: input.status,
    output: input.output,
    actions: input.actions,
    ...(input.conclusion
      ? { conclusion: input.conclusion, completed_at: new Date().toISOString() }
      : {}),
  });
}
