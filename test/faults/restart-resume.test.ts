import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type Db, migrate, openDb } from "../../src/db/index.js";
import {
  type FakeCall,
  type FakeDatapipe,
  startFakeDatapipe,
  syntheticEventsWriter,
} from "../fakes/fake-datapipe.js";
import { createTestDb, databaseUrlOf } from "../helpers/db.js";
import {
  type AppProcess,
  commentPayload,
  FaultyGitHub,
  LogBuffer,
  leakedSecrets,
  OWNER,
  runRows,
  SECRETS,
  seedWorkspace,
  sendWebhook,
  startAppProcess,
  TRACKING_ISSUE,
  waitFor,
} from "./app-harness.js";

/**
 * The app as `npm start` runs it, SIGKILLed mid-job and started again on the same
 * database — real Postgres, and the embedded database (a restart of the single process) —
 * and two replicas of which one is killed. Production leases (30 s) are left as they are:
 * only the dead process's presence lock, gone with its session, lets the work move on.
 */

const ROWS = 3;
const NAMES = ["alpha", "beta", "gamma"];
/** Shorter than the downtime below, longer than any watching the test does. */
const JOB_TIMEOUT_MS = 3_000;
const logs = new LogBuffer();
const apps: AppProcess[] = [];
const dirs: string[] = [];
let github: FaultyGitHub | undefined;
let datapipe: FakeDatapipe | undefined;
let db: Db | undefined;

afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.kill()));
  await github?.close();
  await datapipe?.close();
  await db?.close();
  github = datapipe = db = undefined;
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const clock = () => performance.timeOrigin + performance.now();
const statusCalls = (jobId: string, after = 0) =>
  datapipe!.calls.filter((c) => c.kind === "status" && c.jobId === jobId && c.seq > after);
const triggered = () => datapipe!.triggers().map((c) => c.repository!.split("/")[1]);
const completedCall = (jobId: string) =>
  datapipe!.calls.find((c) => c.jobId === jobId && c.jobStatus === "completed");

async function setUp(writeTo: Db | null) {
  github = new FaultyGitHub();
  const host = await github.listen();
  datapipe = await startFakeDatapipe({
    apiKey: SECRETS.GH_DATPIPE_KEY,
    ...(writeTo ? { writeRows: syntheticEventsWriter(writeTo) } : {}),
    defaultRows: ROWS,
  });
  return (env: Record<string, string>) =>
    startAppProcess(
      {
        GHE_HOST: host,
        GH_DATPIPE_API_URL: datapipe!.url,
        BACKFILL_DELAY_MS: "0",
        BACKFILL_POLL_INTERVAL_MS: "25",
        BACKFILL_PROGRESS_EVERY: "1",
        BACKFILL_JOB_TIMEOUT_MS: String(JOB_TIMEOUT_MS),
        ...env,
      },
      logs,
    ).then((app) => {
      apps.push(app);
      return app;
    });
}

/**
 * `/backfill 30` on three repositories, SIGKILL while beta's job runs, the app down for
 * longer than the job's time-out, `npm start` again: the scenario of the issue.
 */
async function killMidJobAndRestart(start: () => Promise<AppProcess>) {
  datapipe!.script(`${OWNER}/alpha`, { hold: true, rows: ROWS });
  datapipe!.script(`${OWNER}/beta`, { hold: true, rows: ROWS });
  const command = commentPayload("/backfill 30");
  let app = await start();
  expect(await sendWebhook(app.webhookUrl, "issue_comment", command)).toBe(200);
  // The run's comment and check run exist first: a process killed between claiming their
  // creation and storing the id leaves a claim that a later process honours for two minutes.
  await waitFor(
    "the progress comment and the check run",
    () => github!.checkRuns.size === 1 && github!.commentsOn(OWNER, "alpha", TRACKING_ISSUE)[0],
    30_000,
  );
  datapipe!.release(`${OWNER}/alpha`);
  const jobB = await waitFor(
    "beta's job to be polled",
    () => {
      const trigger = datapipe!.triggers().find((t) => t.repository === `${OWNER}/beta`);
      return trigger?.jobId && statusCalls(trigger.jobId).length >= 3 ? trigger : null;
    },
    30_000,
  );
  await app.kill();
  const killed = datapipe!.tick();
  expect(triggered()).toEqual(["alpha", "beta"]);
  // Down for longer than BACKFILL_JOB_TIMEOUT_MS since beta's trigger: wall time alone
  // would time the job out.
  await waitFor("the downtime", () => clock() - jobB.at > JOB_TIMEOUT_MS + 500, 10_000, 50);

  app = await start();
  const answering = clock();
  const firstPoll = await waitFor(
    "beta's job to be polled after the restart",
    () => statusCalls(jobB.jobId!, killed)[0],
    10_000,
  );
  expect(firstPoll.at - answering).toBeLessThan(2_000);
  datapipe!.release(`${OWNER}/beta`);
  await waitFor("the 🚀", () => github!.reactionsOn(command.comment.id).includes("rocket"), 60_000);
  // Each repository triggered once, gamma only after beta's job said completed.
  expect(triggered()).toEqual(NAMES);
  const gamma = datapipe!.triggers()[2] as FakeCall;
  expect(gamma.seq).toBeGreaterThan(completedCall(jobB.jobId!)!.seq);
  const comments = github!.commentsOn(OWNER, "alpha", TRACKING_ISSUE);
  expect(comments).toHaveLength(1);
  expect(comments[0]!.body).toContain("**3/3 (100%)**");
  expect(comments[0]!.body).not.toMatch(/timed out/i);
  expect(github!.reactionsOn(command.comment.id)).toEqual(["eyes", "rocket"]);
  return { app, jobB: jobB.jobId! };
}

describe.skipIf(!process.env.DATABASE_URL)("on Postgres (needs DATABASE_URL)", () => {
  it("SIGKILL mid-job, restart: the job is polled at once, nothing else triggered before it ends, no time-out", async () => {
    db = await createTestDb();
    const start = await setUp(db);
    await seedWorkspace(db, github!, NAMES);
    const { jobB } = await killMidJobAndRestart(() => start({ DATABASE_URL: databaseUrlOf(db!)! }));
    const { runs, items } = await runRows(db);
    expect(runs.map((r) => r.status)).toEqual(["completed"]);
    expect(items.map((i) => [i.name, i.status, i.events_found, i.error])).toEqual([
      ["alpha", "completed", ROWS, null],
      ["beta", "completed", ROWS, null],
      ["gamma", "completed", ROWS, null],
    ]);
    expect(items[1]!.job_id).toBe(jobB);
  }, 120_000);

  it("two replicas: the survivor leaves a living replica's item alone, and takes it within 2 s of its death", async () => {
    db = await createTestDb();
    const start = await setUp(db);
    await seedWorkspace(db, github!, NAMES);
    datapipe!.script(`${OWNER}/alpha`, { hold: true, rows: ROWS });
    // alpha is held for seconds here: its time-out must not end it.
    const env = { DATABASE_URL: databaseUrlOf(db)!, BACKFILL_JOB_TIMEOUT_MS: "600000" };
    const replicas = await Promise.all([start(env), start(env)]);
    const command = commentPayload("/backfill 30");
    expect(await sendWebhook(replicas[0]!.webhookUrl, "issue_comment", command)).toBe(200);
    const holder = async () =>
      (
        await db!.query<{ locked_by: string | null }>(
          "select locked_by from backfill_items where name = 'alpha'",
        )
      ).rows[0]?.locked_by;
    const jobA = await waitFor("alpha's job", async () => (await runRows(db!)).items[0]?.job_id);
    const lockedBy = (await holder())!;
    // The worker id names the process: host:pid:suffix.
    const pid = Number(lockedBy.split(":").at(-2));
    const owner = replicas.find((r) => r.child.pid === pid)!;
    const survivor = replicas.find((r) => r !== owner)!;
    expect(owner).toBeDefined();

    // Both live through several of the survivor's claim rounds (one a second when idle):
    // alpha stays with its owner, and the workspace's next repository waits for it.
    const from = datapipe!.tick();
    await waitFor("alpha polled for 3 s", () => {
      const polls = statusCalls(jobA, from);
      return polls.length > 0 && polls.at(-1)!.at - polls[0]!.at > 3_000;
    });
    expect(await holder()).toBe(lockedBy);
    expect(triggered()).toEqual(["alpha"]);

    await owner.kill();
    const killedAt = clock();
    const killed = datapipe!.tick();
    const taken = await waitFor("the survivor to poll alpha", () => statusCalls(jobA, killed)[0]);
    expect(taken.at - killedAt).toBeLessThan(2_000);
    expect(await holder()).not.toBe(lockedBy);
    datapipe!.release(`${OWNER}/alpha`);
    await waitFor(
      "the 🚀",
      () => github!.reactionsOn(command.comment.id).includes("rocket"),
      60_000,
    );
    const { runs, items } = await runRows(db);
    expect(runs.map((r) => r.status)).toEqual(["completed"]);
    expect(items.map((i) => [i.name, i.status, i.events_found])).toEqual(
      NAMES.map((n) => [n, "completed", ROWS]),
    );
    expect(triggered()).toEqual(NAMES);
    expect(survivor.child.exitCode).toBe(null);
  }, 120_000);
});

describe.skipIf(!!process.env.DATABASE_URL)("on the embedded database", () => {
  it("SIGKILL mid-job, restart of the single process: the job is polled at once, nothing else triggered before it ends, no time-out", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wbb-restart-"));
    dirs.push(dir);
    const DATA_DIR = join(dir, "data");
    const start = await setUp(null);
    const seed = await openDb({ dataDir: DATA_DIR });
    await migrate(seed);
    await seedWorkspace(seed, github!, NAMES);
    await seed.close();

    const { app, jobB } = await killMidJobAndRestart(() => start({ DATA_DIR }));
    process.kill(-app.child.pid!, "SIGTERM");
    expect(await app.exited).toBe(0);
    db = await openDb({ dataDir: DATA_DIR });
    const { runs, items } = await runRows(db);
    expect(runs.map((r) => r.status)).toEqual(["completed"]);
    // No events table writer here: the child process holds the embedded database.
    expect(items.map((i) => [i.name, i.status, i.error])).toEqual(
      NAMES.map((n) => [n, "completed", null]),
    );
    expect(items[1]!.job_id).toBe(jobB);
  }, 120_000);
});

it("no secret in anything the app processes logged", () => {
  expect(leakedSecrets(logs.text())).toEqual([]);
});
