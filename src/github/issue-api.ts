import { type Octokit, type Repo, ROUTES, statusOf } from "./github-api.js";

/** The tracking issue's calls (see `ROUTES`): read, write, find by label, label it. */

export interface IssueInfo {
  number: number;
  body: string;
  state: string;
  htmlUrl: string;
  labels: string[];
}

function toIssue(data: {
  number: number;
  body?: string | null;
  state: string;
  html_url: string;
  labels: (string | { name?: string })[];
}): IssueInfo {
  return {
    number: data.number,
    body: data.body ?? "",
    state: data.state,
    htmlUrl: data.html_url,
    labels: data.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))),
  };
}

export async function getIssue(
  octokit: Octokit,
  repo: Repo,
  issueNumber: number,
): Promise<IssueInfo | null> {
  try {
    const { data } = await octokit.request(ROUTES.getIssue, { ...repo, issue_number: issueNumber });
    return toIssue(data);
  } catch (err) {
    if (statusOf(err) === 404 || statusOf(err) === 410) return null;
    throw err;
  }
}

export async function updateIssueBody(
  octokit: Octokit,
  repo: Repo,
  issueNumber: number,
  body: string,
): Promise<void> {
  await octokit.request(ROUTES.updateIssue, { ...repo, issue_number: issueNumber, body });
}

export async function createIssue(
  octokit: Octokit,
  repo: Repo,
  issue: { title: string; body: string; labels: string[] },
): Promise<IssueInfo> {
  const { data } = await octokit.request(ROUTES.createIssue, { ...repo, ...issue });
  return toIssue(data);
}

/** The oldest open issue carrying `label`, if any. */
export async function findOpenIssueByLabel(
  octokit: Octokit,
  repo: Repo,
  label: string,
): Promise<IssueInfo | null> {
  const { data } = await octokit.request(ROUTES.listIssues, {
    ...repo,
    labels: label,
    state: "open",
    sort: "created",
    direction: "asc",
    per_page: 10,
  });
  const issue = data.find((i) => !i.pull_request);
  return issue ? toIssue(issue) : null;
}

export async function ensureLabel(
  octokit: Octokit,
  repo: Repo,
  label: { name: string; color: string; description: string },
): Promise<void> {
  try {
    await octokit.request(ROUTES.getLabel, { ...repo, name: label.name });
    return;
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  try {
    await octokit.request(ROUTES.createLabel, { ...repo, ...label });
  } catch (err) {
    // Created meanwhile by someone else: fine.
    if (statusOf(err) !== 422) throw err;
  }
}

/** The head commit of the repository's default branch; null for an empty repository. */
