/**
 * The GitHub REST calls of the GitHub source (contract §4b). Listed in one place so a test
 * checks them against GitHub's published REST description, as `src/github/github-api.ts`
 * does for the surfaces.
 */
export const HISTORY_ROUTES = {
  starHistory: "GET /repos/{owner}/{repo}/stargazers/history",
  listForks: "GET /repos/{owner}/{repo}/forks",
} as const;

/**
 * Routes GitHub documents that `@octokit/openapi` 23.0.2 does not describe yet, with where
 * they are documented. When the description catches up, the route test says so and the
 * entry goes.
 */
export const DOCUMENTED_ADDITIONS: Readonly<Record<string, string>> = {
  [HISTORY_ROUTES.starHistory]:
    "GitHub changelog 2026-09-04: weekly star buckets, newest first, 30 weeks a page (API version 2026-03-10)",
};

/** The star history answers in this API version's shape only. */
export const STAR_HISTORY_API_VERSION = "2026-03-10";

/** GitHub gives at most 30 weeks a page whatever is asked (PITFALLS: "GitHub's API in 2026"). */
export const WEEKS_PER_PAGE = 30;

/** The fork list's largest page. */
export const FORKS_PER_PAGE = 100;
