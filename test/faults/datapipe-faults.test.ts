import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import {
  type FakeDatapipe,
  startFakeDatapipe,
  syntheticEventsWriter,
} from "../fakes/fake-datapipe.js";
import { createTestDb } from "../helpers/db.js";
import {
  commentPayload,
  FaultyGitHub,
  type InProcessApp,
  leakedSecrets,
  OWNER,
  runRows,
  SECRETS,
  seedWorkspace,
  sendWebhook,
  startInProcessApp,
  TRACKING_ISSUE,
  waitFor,
  waitForRunEnd,
} from "./app-harness.js";

/**
 * gh-datapipe misbehaving, seen through the whole app: a signed `/backfill` webhook on
 * Probot's server, the real engine (waits shortened), real tables, GitHub's fake on
 * loopback. Every repository of one run meets a different fault; each must end as the
 * contract says, with exactly one job per completed repository and the right GitHub writes.
 */

const ROWS = 4;
// name → what gh-datapipe does to it
const REPOS = [
  "alpha", // the tracking repository: no fault
  "storm", // 429 twice with Retry-After: 1, then accepted
  "flaky", // 503, 502, then accepted
  "slow", // the first trigger never answers (past the request timeout), then accepted
  "garbled", // 200 with an HTML body, then accepted
  "wobbly", // status calls: 500, then non-JSON, then normal
  "doomed", // the job fails
  "stuck", // the job never ends
  "flood", // 429 on every trigger
  "down", // 503 on every trigger
  "missing", // 404
];

let db: Db;
let github: FaultyGitHub;
let datapipe: FakeDatapipe;
let app: InProcessApp;

beforeAll(async () => {
  db = await createTestDb();
  github = new FaultyGitHub();
  const host = await github.listen();
  datapipe = await startFakeDatapipe({
    apiKey: SECRETS.GH_DATPIPE_KEY,
    writeRows: syntheticEventsWriter(db),
    defaultRows: ROWS,
  });
  app = await startInProcessApp({
    db,
    githubHost: host,
    throttle: false,
    env: {
      GH_DATPIPE_API_URL: datapipe.url,
      BACKFILL_DELAY_MS: "0",
      BACKFILL_CONCURRENCY: "2",
      BACKFILL_POLL_INTERVAL_MS: "10",
      BACKFILL_JOB_TIMEOUT_MS: "1500",
    },
    tuning: {
      leaseMs: 3_000,
      idleMs: 50,
      requestTimeoutMs: 300,
      retries: 2,
      minRetryDelayMs: 5,
      maxRetryDelayMs: 20,
    },
  });
});

afterAll(async () => {
  await app?.stop();
  await datapipe?.close();
  await github?.close();
  await db?.close();
});

const html = { status: 200, raw: "<html>Bad gateway</html>" };

describe("gh-datapipe faults through the whole app", () => {
  it("ends every repository right, triggers each job once, and reports it on GitHub", async () => {
    await seedWorkspace(db, github, REPOS);
    datapipe.script(`${OWNER}/storm`, {
      trigger: [
        { status: 429, json: { error: "slow down" }, headers: { "Retry-After": "1" } },
        { status: 429, json: { error: "slow down" }, headers: { "Retry-After": "1" } },
      ],
    });
    datapipe.script(`${OWNER}/flaky`, {
      trigger: [{ status: 503, json: { error: "maintenance" } }, { status: 502 }],
    });
    datapipe.script(`${OWNER}/slow`, { trigger: [{ hang: true }] });
    datapipe.script(`${OWNER}/garbled`, { trigger: [html] });
    datapipe.script(`${OWNER}/wobbly`, { status: [{ status: 500 }, html], pollsUntilDone: 2 });
    datapipe.script(`${OWNER}/doomed`, { outcome: "failed", error: "disk full" });
    datapipe.script(`${OWNER}/stuck`, { outcome: "never" });
    datapipe.script(`${OWNER}/flood`, {
      triggerAlways: { status: 429, json: { error: "slow down" }, headers: { "Retry-After": "0" } },
    });
    datapipe.script(`${OWNER}/down`, { triggerAlways: { status: 503, json: {} } });
    datapipe.script(`${OWNER}/missing`, { triggerAlways: { status: 404, json: { error: "no" } } });

    const command = commentPayload("/backfill 30");
    expect(await sendWebhook(app.webhookUrl, "issue_comment", command)).toBe(200);
    const runId = await waitForRunEnd(db, 25_000);
    await app.surfaces.idle();

    const { runs, items } = await runRows(db);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: runId, status: "failed" });
    const byName = Object.fromEntries(items.map((i) => [i.name, i]));
    const completed = ["alpha", "storm", "flaky", "slow", "garbled", "wobbly"];
    for (const name of completed) {
      expect(byName[name], name).toMatchObject({
        status: "completed",
        error: null,
        events_found: ROWS,
      });
    }
    expect(byName.doomed).toMatchObject({
      status: "failed",
      error: "Backfill job failed: disk full",
    });
    expect(byName.stuck).toMatchObject({ status: "failed", error: "Backfill job timed out" });
    expect(byName.flood).toMatchObject({
      status: "failed",
      error: "Failed to trigger backfill: gh-datapipe answered 429: slow down",
    });
    expect(byName.down).toMatchObject({
      status: "failed",
      error: "Failed to trigger backfill: gh-datapipe answered 503",
    });
    expect(byName.missing).toMatchObject({ status: "failed", error: "Repository not found" });

    // Nothing done twice: one job per repository that got one, its rows written once.
    const jobsOf = (name: string) =>
      [...datapipe.jobs.values()].filter((j) => j.repository === `${OWNER}/${name}`).length;
    const triggersOf = (name: string) =>
      datapipe.triggers().filter((c) => c.repository === `${OWNER}/${name}`).length;
    for (const name of [...completed, "doomed", "stuck"]) expect(jobsOf(name), name).toBe(1);
    for (const name of ["flood", "down", "missing"]) expect(jobsOf(name), name).toBe(0);
    expect(
      Object.fromEntries(REPOS.map((n) => [n, triggersOf(n)])),
      "trigger calls per repository",
    ).toEqual({
      alpha: 1,
      storm: 3,
      flaky: 3,
      slow: 2,
      garbled: 2,
      wobbly: 1,
      doomed: 1,
      stuck: 1,
      flood: 3,
      down: 3,
      missing: 1,
    });
    const { rows: counts } = await db.query<{ name: string; n: number }>(
      `select repository_name as name, count(*)::int as n from github_events_cache
        group by repository_name order by repository_name`,
    );
    expect(counts).toEqual([...completed].sort().map((name) => ({ name, n: ROWS })));

    // Retry-After honoured: the second trigger waited at least the second asked for.
    const storm = datapipe.triggers().filter((c) => c.repository === `${OWNER}/storm`);
    expect(storm[1]!.at - storm[0]!.at).toBeGreaterThanOrEqual(990);
    // The job that never ended was given up at gh-datapipe too.
    const stuckJob = [...datapipe.jobs.values()].find((j) => j.repository === `${OWNER}/stuck`)!;
    expect(datapipe.calls.filter((c) => c.kind === "cancel").map((c) => c.jobId)).toEqual([
      stuckJob.id,
    ]);
    // Every call carried the key.
    expect(datapipe.calls.every((c) => c.apiKey === SECRETS.GH_DATPIPE_KEY)).toBe(true);

    // GitHub: 👀 then 😕 on the command, one progress comment edited in place, one check run.
    expect(github.reactionsOn(command.comment.id)).toEqual(["eyes", "confused"]);
    const comments = github.commentsOn(OWNER, "alpha", TRACKING_ISSUE);
    expect(comments).toHaveLength(1);
    expect(runs[0]!.progress_comment_id).toBe(comments[0]!.id);
    const body = comments[0]!.body;
    expect(body).toContain("**6/11 (55%)** completed · 5 failed");
    for (const item of items) {
      const row = body.split("\n").find((l) => l.includes(`${OWNER}/${item.name}`));
      expect(row, item.name).toBeDefined();
      expect(row).toContain(item.status);
    }
    expect(body).toContain("Backfill job timed out");
    const checks = [...github.checkRuns.values()];
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(checks[0]!.actions.map((a) => a.identifier)).toEqual(["backfill", "retry_failed"]);

    // No secret in the item errors, on GitHub or in anything the app logged.
    const gitHubText = JSON.stringify([
      ...github.comments.values(),
      checks,
      github.issues.get(`${OWNER}/alpha`),
    ]);
    expect(leakedSecrets(gitHubText)).toEqual([]);
    expect(leakedSecrets(JSON.stringify(items))).toEqual([]);
    expect(leakedSecrets(app.logs.text())).toEqual([]);
  });

  it("a second command while the faulty run is over starts a retry of exactly the failed ones", async () => {
    datapipe.reset();
    const retry = commentPayload("/backfill retry");
    expect(await sendWebhook(app.webhookUrl, "issue_comment", retry)).toBe(200);
    await waitFor("the retry run", async () => (await runRows(db)).runs.length === 2);
    await waitFor("the retry run to end", async () =>
      (await runRows(db)).runs.every((r) => r.status !== "pending" && r.status !== "processing"),
    );
    await app.surfaces.idle();
    const { runs, items } = await runRows(db);
    const retried = items.filter((i) => i.run_id === runs[1]!.id);
    expect(retried.map((i) => [i.name, i.status])).toEqual([
      ["doomed", "completed"],
      ["stuck", "completed"],
      ["flood", "completed"],
      ["down", "completed"],
      ["missing", "completed"],
    ]);
    expect(datapipe.triggers().map((c) => c.repository)).toEqual(
      ["doomed", "stuck", "flood", "down", "missing"].map((n) => `${OWNER}/${n}`),
    );
    expect(github.reactionsOn(retry.comment.id)).toEqual(["eyes", "rocket"]);
    expect(leakedSecrets(app.logs.text())).toEqual([]);
  });
});
