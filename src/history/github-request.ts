/**
 * The one thing the GitHub source needs from an Octokit: its `request` function
 * (`octokit.request(route, params)`), resolving with the answer or rejecting with an error
 * that carries `status` and `response.headers` as `@octokit/request-error` does.
 */
export interface GitHubResponse {
  status: number;
  headers: Record<string, string | number | undefined>;
  data: unknown;
}

export type GitHubRequest = (
  route: string,
  params: Record<string, unknown>,
) => Promise<GitHubResponse>;

/** An installation's `request`, fresh for each read (installation tokens last an hour). */
export type GitHubRequestFor = (installationId: number) => Promise<GitHubRequest>;
