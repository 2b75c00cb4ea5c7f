import { ProbotOctokit } from "probot";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { createKeyedLock } from "../../src/github/keyed-lock.js";
import { createRunReporter, type RunReporter } from "../../src/github/run-reporter.js";
import { noResults } from "../../src/github/run-results.js";
import { saveCommandOrigin } from "../../src/github/run-reports.js";
import type { WriteRetry } from "../../src/github/write-retry-delay.js";
import type { FakeGitHub } from "../fakes/fake-github.js";
import { createTestDb, resetDb } from "../helpers/db.js";
import { waitFor } from "../helpers/wait-for.js";
import { createTestEngine, type TestEngine } from "./test-engine.js";
import { HELLO, INSTALLATION, seedTrackedWorkspace } from "./tracked-workspace.js";

/**
 * The run reporter on its own: the real reporter over the real tables, GitHub's fake
 * answering its octokit in-process, runs worked by the real engine over a source whose jobs
 * the test ends.
 */

const COMMAND = 492700400;
const REPO_PATH = "/repos/Codertocat/Hello-World";
const SECONDARY = {
  status: 403,
  body: {
    message:
      "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
  },
};

interface Fault {
  match: (method: string, path: string) => boolean;
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  left: number;
}

let db: Db;
let fake: FakeGitHub;
let faults: Fault[];
let engine: TestEngine;
let logs: { level: string; msg: string }[];

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await engine?.stop();
  await db?.close();
});

beforeEach(async () => {
  await engine?.stop();
  await resetDb(db);
  fake = await seedTrackedWorkspace(db);
  faults = [];
  engine = createTestEngine(db);
  logs = [];
});

/** The next `times` requests matching `match` get `answer` instead of the fake's. */
function fail(
  match: (method: string, path: string) => boolean,
  answer: { status: number; body: unknown; headers?: Record<string, string> },
  times = 1,
) {
  faults.push({ match, ...answer, left: times });
}

/** An octokit (no throttling, no retries: the reporter's own retries are under test). */
function octokit(): ProbotOctokit {
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const text = await request.text();
    const url = new URL(request.url);
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    const fault = faults.find((f) => f.left > 0 && f.match(request.method, url.pathname));
    let answer: { status: number; body: unknown; headers?: Record<string, string> };
    if (fault) {
      fault.left--;
      fake.requests.push({ method: request.method, path: url.pathname, query: {}, body, at: 0 });
      answer = fault;
    } else {
      answer = fake.handle(request.method, url.pathname + url.search, body);
    }
    return new Response(answer.status === 204 ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { "content-type": "application/json; charset=utf-8", ...answer.headers },
    });
  };
  return new ProbotOctokit({
    request: { fetch },
    throttle: { enabled: false },
    retry: { enabled: false },
  });
}

function reporter(retry: Partial<WriteRetry> = {}): RunReporter {
  const client = octokit();
  const log = (level: string) => (_obj: unknown, msg?: string) => {
    logs.push({ level, msg: msg ?? "" });
  };
  return createRunReporter({
    db,
    config: { BACKFILL_PROGRESS_EVERY: 1 },
    auth: async () => client,
    results: noResults,
    lock: createKeyedLock(),
    log: { info: log("info"), warn: log("warn"), error: log("error") },
    retry: { minDelayMs: 1, maxDelayMs: 4, ...retry },
  });
}

/**
 * A run of both repositories asked for by comment COMMAND, reported by `reporters` from
 * then on, as the command's handler has them start on the run it created.
 */
async function startRun(...reporters: RunReporter[]) {
  const { run } = await engine.request({
    installationId: INSTALLATION,
    days: 30,
    source: "command",
    requestedBy: "Codertocat",
  });
  await saveCommandOrigin(db, run.id, HELLO.id, COMMAND);
  for (const r of reporters) {
    engine.subscribe((event) => r.handle(event));
    r.track(run);
  }
  await Promise.all(reporters.map((r) => r.idle()));
  return run;
}

/** The first item completes; its progress edit is written. */
async function finishFirst(runId: number, ...reporters: RunReporter[]) {
  await engine.finishItem(runId, "Codertocat/Hello-World", { status: "completed", rows: 1 });
  await Promise.all(reporters.map((r) => r.idle()));
}

/** The last item completes, and with it the run. */
async function finishLast(runId: number, ...reporters: RunReporter[]) {
  await engine.finishItem(runId, "Codertocat/other", { status: "completed", rows: 2 });
  await Promise.all(reporters.map((r) => r.idle()));
}

let seen = 0;
beforeEach(() => {
  seen = 0;
});
function newCalls(): string[] {
  const calls = fake.requests.slice(seen);
  seen = fake.requests.length;
  return calls.map((c) => `${c.method} ${c.path}`);
}

const checkRunPatch = (method: string, path: string) =>
  method === "PATCH" && /\/check-runs\/\d+$/.test(path);

describe("a failed progress write", () => {
  it("a secondary rate limit on the final check-run update is tried again: check run, dashboard and 🚀 catch up", async () => {
    const r = reporter();
    const run = await startRun(r);
    const check = [...fake.checkRuns.values()][0]!;
    const progress = fake.commentsOn(HELLO.owner, HELLO.name, 1)[0]!;
    await finishFirst(run.id, r);
    newCalls();
    fail(checkRunPatch, SECONDARY);
    await finishLast(run.id, r);

    expect(newCalls()).toEqual([
      `PATCH ${REPO_PATH}/issues/comments/${progress.id}`,
      `PATCH ${REPO_PATH}/check-runs/${check.id}`,
      // Tried again: the comment, unchanged, is not edited twice.
      `PATCH ${REPO_PATH}/check-runs/${check.id}`,
      `GET ${REPO_PATH}/issues/1`,
      `PATCH ${REPO_PATH}/issues/1`,
      `POST ${REPO_PATH}/issues/comments/${COMMAND}/reactions`,
    ]);
    expect(check).toMatchObject({ status: "completed", conclusion: "success" });
    expect(fake.issue(HELLO.owner, HELLO.name, 1)!.body).toContain("Run #1 (completed)");
    expect(fake.reactionsOn(COMMAND)).toEqual(["rocket"]);
    expect(logs).toEqual([{ level: "warn", msg: "progress write failed; trying again" }]);
  });

  it("tries a bounded number of times, and not at all again when GitHub says no for good", async () => {
    const r = reporter({ attempts: 3 });
    const run = await startRun(r);
    await finishFirst(run.id, r);
    newCalls();
    fail(checkRunPatch, { status: 502, body: { message: "Server Error" } }, 10);
    await finishLast(run.id, r);
    expect(newCalls().filter((c) => c.includes("/check-runs/"))).toHaveLength(3);
    expect(logs.map((l) => l.msg)).toEqual([
      "progress write failed; trying again",
      "progress write failed; trying again",
      "progress write failed; giving up",
    ]);
    expect([...fake.checkRuns.values()][0]).toMatchObject({ status: "in_progress" });
  });

  it("a comment edit refused for good (404) is not tried again", async () => {
    const r = reporter();
    const run = await startRun(r);
    const progress = fake.commentsOn(HELLO.owner, HELLO.name, 1)[0]!;
    newCalls();
    fail((m, p) => m === "PATCH" && p.includes("/issues/comments/"), {
      status: 404,
      body: { message: "Not Found" },
    });
    await finishFirst(run.id, r);
    expect(newCalls()).toEqual([`PATCH ${REPO_PATH}/issues/comments/${progress.id}`]);
    expect(logs.map((l) => l.msg)).toEqual(["progress write failed; giving up"]);
  });

  it("stop() ends the wait for the next try: nothing more is written", async () => {
    const r = reporter({ minDelayMs: 3_600_000, maxDelayMs: 3_600_000 });
    const run = await startRun(r);
    newCalls();
    await finishFirst(run.id, r);
    fail(checkRunPatch, SECONDARY);
    await engine.finishItem(run.id, "Codertocat/other", { status: "completed" });
    const idle = r.idle();
    await waitFor("the failed write's log", () => logs.length > 0);
    r.stop();
    await idle;
    expect(newCalls().filter((c) => c.includes("/check-runs/"))).toHaveLength(1);
    expect([...fake.checkRuns.values()][0]).toMatchObject({ status: "in_progress" });
  });
});

describe("two processes reporting one run", () => {
  it("one progress comment and one check run between them: the second finds and edits them", async () => {
    // Two reporters as two processes have them: their own locks, octokits and snapshots.
    const a = reporter();
    const b = reporter();
    const run = await startRun(a, b);
    const posts = (pathEnd: string) =>
      fake.requests.filter((q) => q.method === "POST" && q.path.endsWith(pathEnd));
    expect(posts("/issues/1/comments")).toHaveLength(1);
    expect(posts("/check-runs")).toHaveLength(1);
    const progress = fake.commentsOn(HELLO.owner, HELLO.name, 1)[0]!;
    const check = [...fake.checkRuns.values()][0]!;
    const { rows } = await db.query(
      "select progress_comment_id, check_run_id from run_reports where run_id = $1::bigint",
      [run.id],
    );
    expect(rows).toEqual([{ progress_comment_id: progress.id, check_run_id: check.id }]);

    await finishFirst(run.id, a, b);
    await finishLast(run.id, a, b);
    expect(posts("/issues/1/comments")).toHaveLength(1);
    expect(posts("/check-runs")).toHaveLength(1);
    expect(fake.commentsOn(HELLO.owner, HELLO.name, 1)).toHaveLength(1);
    expect(progress.body).toContain(
      "### Back-fill run #1 of 30 days (command requested by Codertocat): completed",
    );
    expect([...fake.checkRuns.values()]).toMatchObject([
      { id: check.id, status: "completed", conclusion: "success" },
    ]);
  });
});
