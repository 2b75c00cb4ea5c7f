import { Octokit } from "@octokit/rest";
import type { Queryable } from "../../src/db/index.js";
import type { GitHubRequest } from "../../src/history/index.js";
import { FakeGitHub } from "../fakes/fake-github.js";
import { routeGitHubToFake } from "../github/github-nock.js";

export const TODAY = "2026-12-02";
export const NOW = Date.parse(`${TODAY}T12:00:00Z`);
const DAY_MS = 86_400_000;

/** The UTC date `n` days before TODAY. */
export const daysAgo = (n: number, now = NOW) =>
  new Date(now - n * DAY_MS).toISOString().slice(0, 10);

/**
 * A fake GitHub behind nock and a plain Octokit's `request` (no throttling or retry
 * plugins, so the reader's own policy is what the test sees), sharing one movable clock.
 */
export function historyGitHub(clock: { now: number }) {
  const fake = new FakeGitHub({ now: () => clock.now });
  routeGitHubToFake(fake);
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const octokit = new Octokit({ auth: "ghs_test", log: quiet });
  const request = octokit.request as unknown as GitHubRequest;
  return { fake, request };
}

/** Deterministic stars per day for `days` days ending TODAY: 0–(max−1), some days none. */
export function starDays(days: number, max = 7, seed = 1, now = NOW): Map<string, number> {
  const out = new Map<string, number>();
  let x = seed;
  for (let i = days - 1; i >= 0; i--) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const n = x % max;
    if (n > 0) out.set(daysAgo(i, now), n);
  }
  return out;
}

/** `count` fork instants spread evenly over the `days` days ending TODAY, newest last. */
export function forkTimes(count: number, days: number, now = NOW): string[] {
  const span = days * DAY_MS;
  return Array.from({ length: count }, (_, i) =>
    new Date(now - span + Math.floor(((i + 1) * span) / (count + 1))).toISOString(),
  );
}

/** Per-day counts of fork instants. */
export function countByDay(times: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of times) out.set(t.slice(0, 10), (out.get(t.slice(0, 10)) ?? 0) + 1);
  return out;
}

/** A workspace holding `repos` (`owner/name`), so `repository_daily_counts` shows them. */
export async function seedWorkspaceRepos(
  db: Queryable,
  installationId: number,
  repos: string[],
): Promise<void> {
  await db.query(
    `insert into workspaces (installation_id, account_login) values ($1::bigint, 'octo')
     on conflict do nothing`,
    [installationId],
  );
  for (const [i, repo] of repos.entries()) {
    const [owner, name] = repo.split("/");
    await db.query(
      `insert into workspace_repositories (installation_id, repository_id, owner, name)
       values ($1::bigint, $2::bigint, $3::text, $4::text)`,
      [installationId, installationId * 1000 + i + 1, owner, name],
    );
  }
}

/** The stored GitHub days of a repository, as `date → stars/forks`. */
export async function storedDays(db: Queryable, ownerKey: string, nameKey: string) {
  const { rows } = await db.query<{ day: string; stars: number; forks: number }>(
    `select to_char(day, 'YYYY-MM-DD') as day, stars, forks from github_daily_counts
      where owner_key = $1 and name_key = $2 order by day`,
    [ownerKey, nameKey],
  );
  const stars = new Map(rows.filter((r) => r.stars > 0).map((r) => [r.day, r.stars]));
  const forks = new Map(rows.filter((r) => r.forks > 0).map((r) => [r.day, r.forks]));
  return { stars, forks };
}

export async function coverageOf(db: Queryable, ownerKey: string, nameKey: string) {
  const { rows } = await db.query<Record<string, string | null>>(
    `select to_char(stars_from, 'YYYY-MM-DD') as stars_from, to_char(stars_to, 'YYYY-MM-DD') as stars_to,
            to_char(forks_from, 'YYYY-MM-DD') as forks_from, to_char(forks_to, 'YYYY-MM-DD') as forks_to
       from github_history_coverage where owner_key = $1 and name_key = $2`,
    [ownerKey, nameKey],
  );
  return rows[0] ?? null;
}

/** Only the entries of `days` from `from` on. */
export function since(days: Map<string, number>, from: string): Map<string, number> {
  return new Map([...days].filter(([d]) => d >= from));
}

export const total = (days: Map<string, number>) => [...days.values()].reduce((a, b) => a + b, 0);
