import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db, Queryable } from "../../src/db/index.js";
import { ROUTES } from "../../src/github/github-api.js";
import { createKeyedLock } from "../../src/github/keyed-lock.js";
import { ensureTrackingIssue, type TrackingDeps } from "../../src/github/tracking-issue.js";
import { createTestDb, resetDb } from "../helpers/db.js";
import { waitFor } from "../helpers/wait-for.js";

/**
 * One GitHub shared by two "replicas" (each its own in-process lock): issues created stay
 * listed by label, and creating one waits until the test lets it through.
 */
function sharedGitHub() {
  const issues: { number: number; title: string; labels: { name: string }[] }[] = [];
  const calls: string[] = [];
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const octokit = {
    async request(route: string) {
      calls.push(route);
      if (route === ROUTES.listIssues) return { data: [...issues] };
      if (route === ROUTES.getLabel) return { data: { name: "workspace-backfill" } };
      if (route === ROUTES.createIssue) {
        await released;
        const issue = {
          number: issues.length + 1,
          title: "Workspace backfill",
          body: "",
          html_url: `https://github.com/octo/alpha/issues/${issues.length + 1}`,
          labels: [{ name: "workspace-backfill" }],
        };
        issues.push(issue);
        return { data: issue };
      }
      throw new Error(`unexpected ${route}`);
    },
  };
  return { octokit: octokit as unknown as TrackingDeps["octokit"], calls, release };
}

describe("tracking issue across replicas", () => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await resetDb(db);
    await db.query("insert into workspaces (installation_id, account_login) values (7, 'octo')");
    await db.query(
      `insert into workspace_repositories (installation_id, repository_id, owner, name)
       values (7, 70, 'octo', 'alpha')`,
    );
  });

  it("is created once when two processes ask at the same moment", async () => {
    const github = sharedGitHub();
    const log = { info: () => {}, warn: () => {} };
    // Claims found taken: a replica that met the other's claim and waits for its issue.
    let refused = 0;
    const watched: Queryable = {
      async query<R>(text: string, params?: unknown[]) {
        const result = await db.query<R>(text, params);
        if (text.includes("set tracking_claimed_at = now()") && result.rows.length === 0) {
          refused++;
        }
        return result;
      },
    };
    const deps = (): TrackingDeps => ({
      db: watched,
      octokit: github.octokit,
      lock: createKeyedLock(),
      log,
      claimTiming: { claimTtlMs: 60_000, pollMs: 10 },
    });
    const first = ensureTrackingIssue(deps(), 7);
    const second = ensureTrackingIssue(deps(), 7);
    // One replica is creating the issue (held by the fake), the other waits on its claim.
    await waitFor(
      "one replica creating, the other waiting",
      () => github.calls.includes(ROUTES.createIssue) && refused > 0,
    );
    github.release();
    const answers = await Promise.all([first, second]);
    expect(answers).toEqual([
      { repo: { owner: "octo", repo: "alpha" }, repositoryId: 70, issueNumber: 1 },
      { repo: { owner: "octo", repo: "alpha" }, repositoryId: 70, issueNumber: 1 },
    ]);
    expect(github.calls.filter((c) => c === ROUTES.createIssue)).toHaveLength(1);
    const { rows } = await db.query(
      "select tracking_issue_number, tracking_claimed_at from workspaces where installation_id = 7",
    );
    expect(rows).toEqual([{ tracking_issue_number: 1, tracking_claimed_at: null }]);
  });

  it("takes over a claim left by a process that died", async () => {
    const github = sharedGitHub();
    github.release();
    await db.query(
      "update workspaces set tracking_claimed_at = now() - interval '10 minutes' where installation_id = 7",
    );
    const answer = await ensureTrackingIssue(
      {
        db,
        octokit: github.octokit,
        lock: createKeyedLock(),
        log: { info: () => {}, warn: () => {} },
        claimTiming: { claimTtlMs: 60_000, pollMs: 10 },
      },
      7,
    );
    expect(answer?.issueNumber).toBe(1);
  });
});
