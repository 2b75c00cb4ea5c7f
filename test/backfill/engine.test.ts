import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEngine, type EngineConfig, RunRequestError } from "../../src/backfill/index.js";
import type { Engine, EngineEvent } from "../../src/backfill/types.js";
import type { Db } from "../../src/db/index.js";
import { createTestDb, resetDb } from "../helpers/db.js";
import {
  type FakeDatapipe,
  startFakeDatapipe,
  syntheticEventsWriter,
} from "../fakes/fake-datapipe.js";
import {
  itemTable,
  quietLog,
  recordEvents,
  countIdleTurns,
  seedWorkspace,
  testConfig,
  testTuning,
  waitFor,
  waitForRunEnd,
} from "./harness.js";

let db: Db;
/** The engines' view of `db`, counting their idle turns. */
let counted: ReturnType<typeof countIdleTurns>;
let fake: FakeDatapipe;
const engines: Engine[] = [];

beforeAll(async () => {
  db = await createTestDb();
  counted = countIdleTurns(db);
  // gh-datapipe may spell the repository differently from GitHub: write it upper-case.
  fake = await startFakeDatapipe({
    writeRows: syntheticEventsWriter(db, { spell: (r) => r.toUpperCase() }),
  });
});
afterAll(async () => {
  await fake.close();
  await db.close();
});
beforeEach(async () => {
  await resetDb(db);
  fake.reset();
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop()));
});

function engine(config: Partial<EngineConfig> = {}, workerId?: string): Engine {
  const e = createEngine({
    db: counted.db,
    config: testConfig(fake.url, config),
    log: quietLog,
    tuning: testTuning,
    ...(workerId ? { workerId } : {}),
  });
  engines.push(e);
  return e;
}

describe("a run", () => {
  it("triggers in order, paced and bounded, and completes each item only on the job's word", async () => {
    await seedWorkspace(db, 1, ["octo/a", "octo/b", "octo/c"]);
    // Events already there: outside the window, or of another repository; never counted.
    await db.query(
      `insert into github_events_cache (event_id, event_type, repository_owner, repository_name, created_at)
       values ('old', 'WatchEvent', 'octo', 'a', now() - interval '40 days'),
              ('other', 'WatchEvent', 'octo', 'z', now())`,
    );
    fake.script("octo/a", { rows: 3, pollsUntilDone: 15 });
    fake.script("octo/b", { rows: 5, pollsUntilDone: 15 });
    fake.script("octo/c", { rows: 0, pollsUntilDone: 2 });
    const e = engine({ BACKFILL_CONCURRENCY: 2, BACKFILL_DELAY_MS: 60 });
    const events = recordEvents(e);
    const completedAt = new Map<string, number>();
    e.subscribe((event) => {
      if (event.type === "item.changed" && event.item.status === "completed") {
        completedAt.set(event.item.fullName, fake.tick());
      }
    });
    await e.start();
    const { run, kind } = await e.request({
      installationId: 1,
      days: 30,
      source: "command",
      requestedBy: "mona",
    });
    expect(kind).toBe("created");
    // The snapshot is read after the run is stored: a claim on a busy machine may come first.
    expect(["pending", "processing"]).toContain(run.status);
    expect(run).toMatchObject({
      total: 3,
      done: 0,
      source: "command",
      requestedBy: "mona",
    });
    const end = await waitForRunEnd(e, run.id);

    expect(end.status).toBe("completed");
    expect(itemTable(end)).toEqual([
      { repo: "octo/a", status: "completed", events: 3, error: null },
      { repo: "octo/b", status: "completed", events: 5, error: null },
      { repo: "octo/c", status: "completed", events: 0, error: null },
    ]);
    const triggers = fake.triggers();
    expect(triggers.map((t) => [t.repository, t.days])).toEqual([
      ["octo/a", 30],
      ["octo/b", 30],
      ["octo/c", 30],
    ]);
    for (let i = 1; i < triggers.length; i++) {
      expect(triggers[i]!.at - triggers[i - 1]!.at).toBeGreaterThanOrEqual(60);
    }
    expect(fake.maxInFlight).toBeLessThanOrEqual(2);
    for (const item of end.items) {
      expect(item.jobId).toBe(triggers[item.position - 1]!.jobId);
      const said = fake.calls.find((c) => c.jobId === item.jobId && c.jobStatus === "completed");
      expect(said, item.fullName).toBeDefined();
      expect(completedAt.get(item.fullName)!).toBeGreaterThan(said!.seq);
      expect(item.startedAt).toBeInstanceOf(Date);
      expect(item.finishedAt!.getTime()).toBeGreaterThanOrEqual(item.startedAt!.getTime());
    }
    await e.stop();
    const types = events.map((x) => x.type);
    expect(types[0]).toBe("run.started");
    expect(types.filter((t) => t === "run.finished")).toHaveLength(1);
    expect(types.at(-1)).toBe("run.finished");
    const finished = events.at(-1) as Extract<EngineEvent, { type: "run.finished" }>;
    expect(finished.run).toMatchObject({ status: "completed", completed: 3, done: 3, total: 3 });
    // Every item passed through processing and ended completed, in the events too.
    for (const name of ["octo/a", "octo/b", "octo/c"]) {
      const seen = events.flatMap((x) =>
        x.type === "item.changed" && x.item.fullName === name ? [x.item.status] : [],
      );
      expect(seen[0]).toBe("processing");
      expect(seen.at(-1)).toBe("completed");
    }
  });

  it("ends every fault with the contract's text and leaves the others unaffected", async () => {
    const repos = [
      "octo/rate",
      "octo/flaky",
      "octo/down",
      "octo/gone",
      "octo/slow",
      "octo/html",
      "octo/broken",
      "octo/stuck",
      "octo/wobbly",
      "not-a-repository",
      "octo/ok",
    ];
    await seedWorkspace(db, 2, ["octo/ok"]);
    fake.script("octo/rate", {
      rows: 2,
      trigger: [{ status: 429, headers: { "Retry-After": "1" }, json: {} }],
    });
    fake.script("octo/flaky", { rows: 1, trigger: [{ status: 500, json: { error: "hiccup" } }] });
    fake.script("octo/down", { triggerAlways: { status: 500, json: { error: "database down" } } });
    fake.script("octo/gone", { triggerAlways: { status: 404, json: { error: "not found" } } });
    fake.script("octo/slow", { triggerAlways: { hang: true } });
    fake.script("octo/html", { triggerAlways: { status: 200, raw: "<html>Bad gateway</html>" } });
    fake.script("octo/broken", { outcome: "failed", error: "GitHub API rate limit exceeded" });
    fake.script("octo/stuck", { outcome: "never" });
    fake.script("octo/wobbly", {
      rows: 4,
      status: [
        { status: 502, json: {} },
        { status: 200, raw: "oops" },
      ],
    });
    fake.script("octo/ok", { rows: 7 });
    const e = engine({ BACKFILL_DELAY_MS: 0, BACKFILL_JOB_TIMEOUT_MS: 400 });
    await e.start();
    const { run } = await e.request({
      installationId: 2,
      days: 90,
      source: "cli",
      requestedBy: null,
      repositories: repos.map((r) => {
        const [owner = "", name = ""] = r.includes("/") ? r.split("/") : [r, ""];
        return { owner, name };
      }),
    });
    const end = await waitForRunEnd(e, run.id, 15_000);
    expect(end.status).toBe("failed");
    expect(itemTable(end)).toEqual([
      { repo: "octo/rate", status: "completed", events: 2, error: null },
      { repo: "octo/flaky", status: "completed", events: 1, error: null },
      {
        repo: "octo/down",
        status: "failed",
        events: null,
        error: "Failed to trigger backfill: gh-datapipe answered 500: database down",
      },
      { repo: "octo/gone", status: "failed", events: null, error: "Repository not found" },
      {
        repo: "octo/slow",
        status: "failed",
        events: null,
        error: "Failed to trigger backfill: gh-datapipe did not answer within 500 ms",
      },
      {
        repo: "octo/html",
        status: "failed",
        events: null,
        error: "Failed to trigger backfill: gh-datapipe's answer is not JSON (HTTP 200)",
      },
      {
        repo: "octo/broken",
        status: "failed",
        events: null,
        error: "Backfill job failed: GitHub API rate limit exceeded",
      },
      { repo: "octo/stuck", status: "failed", events: null, error: "Backfill job timed out" },
      { repo: "octo/wobbly", status: "completed", events: 4, error: null },
      { repo: "not-a-repository/", status: "failed", events: null, error: "Repository not found" },
      { repo: "octo/ok", status: "completed", events: 7, error: null },
    ]);
    expect(end).toMatchObject({ completed: 4, failed: 7, cancelled: 0, done: 11, total: 11 });
    const count = (repo: string) => fake.triggers().filter((t) => t.repository === repo).length;
    expect(count("octo/rate")).toBe(2);
    const [limited, accepted] = fake.triggers().filter((t) => t.repository === "octo/rate");
    expect(accepted!.at - limited!.at).toBeGreaterThanOrEqual(1000);
    expect(count("octo/flaky")).toBe(2);
    expect(count("octo/down")).toBe(3);
    expect(count("octo/gone")).toBe(1);
    expect(count("octo/slow")).toBe(3);
    expect(count("not-a-repository/")).toBe(0);
    // A job that never ends is cancelled at gh-datapipe when it times out.
    const stuck = fake.triggers().find((t) => t.repository === "octo/stuck")!;
    expect(fake.calls.filter((c) => c.kind === "cancel").map((c) => c.jobId)).toEqual([
      stuck.jobId,
    ]);
    // No call ever carried another key, and no error text shows the key.
    expect(new Set(fake.calls.map((c) => c.apiKey))).toEqual(new Set(["test-key"]));
    expect(JSON.stringify(end)).not.toContain("test-key");
  });

  it("fails every repository without a single call when the key is missing", async () => {
    await seedWorkspace(db, 3, ["octo/a", "octo/b"]);
    const e = engine({ GH_DATPIPE_KEY: undefined });
    await e.start();
    const { run } = await e.request({
      installationId: 3,
      days: 90,
      source: "installation",
      requestedBy: null,
    });
    const end = await waitForRunEnd(e, run.id);
    expect(end.status).toBe("failed");
    expect(end.items.map((i) => i.error)).toEqual([
      "Service unavailable: GH_DATPIPE_KEY is not configured",
      "Service unavailable: GH_DATPIPE_KEY is not configured",
    ]);
    expect(fake.calls).toHaveLength(0);
  });
});

describe("requests", () => {
  it("takes the workspace's repositories in order and keeps one active run", async () => {
    await seedWorkspace(db, 4, ["octo/z", "octo/a", "octo/m"]);
    const e = engine();
    const first = await e.request({
      installationId: 4,
      days: 7,
      source: "button",
      requestedBy: "mona",
    });
    expect(first.kind).toBe("created");
    expect(first.run.items.map((i) => [i.position, i.fullName, i.repositoryId, i.status])).toEqual([
      [1, "octo/z", 4001, "pending"],
      [2, "octo/a", 4002, "pending"],
      [3, "octo/m", 4003, "pending"],
    ]);
    const second = await e.request({
      installationId: 4,
      days: 30,
      source: "command",
      requestedBy: "hubot",
    });
    expect(second).toMatchObject({ kind: "active", run: { id: first.run.id, days: 7 } });
    expect((await e.activeRun(4))?.id).toBe(first.run.id);
    const { rows } = await db.query<{ n: number }>("select count(*)::int as n from backfill_runs");
    expect(rows[0]!.n).toBe(1);
  });

  it("records the delivery with the run and does nothing on a redelivery", async () => {
    await seedWorkspace(db, 5, ["octo/a"]);
    const e = engine();
    const request = {
      installationId: 5,
      days: 30,
      source: "command" as const,
      requestedBy: "mona",
      deliveryId: "d-1",
      event: "issue_comment",
      action: "created",
    };
    const first = await e.request(request);
    await e.start();
    await waitForRunEnd(e, first.run.id);
    const again = await e.request(request);
    expect(again).toMatchObject({ kind: "duplicate", run: { id: first.run.id } });
    const { rows } = await db.query(
      "select delivery_id, event, action, installation_id from webhook_deliveries",
    );
    expect(rows).toEqual([
      { delivery_id: "d-1", event: "issue_comment", action: "created", installation_id: 5 },
    ]);
    expect((await db.query("select id from backfill_runs")).rowCount).toBe(1);
    expect(fake.triggers()).toHaveLength(1);
  });

  it("refuses an uninstalled or unknown workspace, and bad days", async () => {
    await seedWorkspace(db, 6, ["octo/a"], "deleted");
    const e = engine();
    const ask = (installationId: number, days = 30) =>
      e.request({ installationId, days, source: "command", requestedBy: "mona" });
    await expect(ask(6)).rejects.toThrow(new RunRequestError("Workspace 6 has been uninstalled"));
    await expect(ask(404)).rejects.toThrow(new RunRequestError("Workspace 404 is not known"));
    await seedWorkspace(db, 7, []);
    await expect(ask(7)).rejects.toThrow(
      new RunRequestError("There are no repositories to back-fill"),
    );
    await expect(ask(7, 0)).rejects.toThrow(RunRequestError);
    expect((await db.query("select id from backfill_runs")).rowCount).toBe(0);
  });

  it("records a suspended workspace's run paused, and triggers nothing until resumed", async () => {
    await seedWorkspace(db, 8, ["octo/a", "octo/b"], "suspended");
    const e = engine();
    await e.start();
    const { run } = await e.request({
      installationId: 8,
      days: 30,
      source: "installation",
      requestedBy: null,
    });
    expect(run.paused).toBe(true);
    await counted.idleTurns(3);
    expect(fake.calls).toHaveLength(0);
    expect((await e.getRun(run.id))!.status).toBe("pending");
    await e.resume(8);
    const end = await waitForRunEnd(e, run.id);
    expect(end).toMatchObject({ status: "completed", paused: false, completed: 2 });
  });
});

describe("stop and start", () => {
  it("hands a polled item back on stop; the next engine polls the same job, triggers no other", async () => {
    await seedWorkspace(db, 15, ["octo/a", "octo/b"]);
    fake.script("octo/a", { hold: true, rows: 1 });
    const first = engine({}, "first");
    await first.start();
    const { run } = await first.request({
      installationId: 15,
      days: 30,
      source: "command",
      requestedBy: "mona",
    });
    await waitFor("the first job to be polled", () => fake.calls.some((c) => c.kind === "status"));
    await first.stop();
    const { rows } = await db.query(
      "select status, job_id, locked_by, locked_until from backfill_items order by position",
    );
    const jobA = fake.triggers()[0]!.jobId;
    expect(rows).toEqual([
      { status: "processing", job_id: jobA, locked_by: null, locked_until: null },
      { status: "pending", job_id: null, locked_by: null, locked_until: null },
    ]);
    fake.release("octo/a");
    const second = engine({}, "second");
    await second.start();
    const end = await waitForRunEnd(second, run.id);
    expect(itemTable(end)).toEqual([
      { repo: "octo/a", status: "completed", events: 1, error: null },
      { repo: "octo/b", status: "completed", events: 0, error: null },
    ]);
    expect(end.items[0]!.jobId).toBe(jobA);
    expect(fake.triggers().map((t) => t.repository)).toEqual(["octo/a", "octo/b"]);
  });
});

describe("cancel, pause and retry", () => {
  it("cancels pending items and the job in flight, and ends the run", async () => {
    await seedWorkspace(db, 10, ["octo/a", "octo/b", "octo/c"]);
    fake.script("octo/a", { hold: true });
    const e = engine();
    const events = recordEvents(e);
    await e.start();
    const { run } = await e.request({
      installationId: 10,
      days: 30,
      source: "command",
      requestedBy: "mona",
    });
    await waitFor("the first job to be polled", () => fake.calls.some((c) => c.kind === "status"));
    const cancelled = await e.cancel(10, "mona");
    expect(cancelled).toMatchObject({ id: run.id, status: "cancelled", cancelled: 3, done: 3 });
    expect(itemTable(cancelled!).map((i) => i.status)).toEqual([
      "cancelled",
      "cancelled",
      "cancelled",
    ]);
    const jobA = fake.triggers()[0]!.jobId;
    expect(fake.calls.filter((c) => c.kind === "cancel").map((c) => c.jobId)).toEqual([jobA]);
    expect(await e.activeRun(10)).toBeNull();
    expect(await e.cancel(10, "mona")).toBeNull();
    // The worker that was polling stops; the engine looks again and triggers nothing else.
    await counted.idleTurns(3);
    expect(fake.triggers().map((t) => t.repository)).toEqual(["octo/a"]);
    expect((await e.getRun(run.id))!.status).toBe("cancelled");
    expect(events.filter((x) => x.type === "run.finished")).toHaveLength(1);
    // The workspace can run again.
    fake.release("octo/a");
    const next = await e.request({
      installationId: 10,
      days: 30,
      source: "command",
      requestedBy: "mona",
    });
    expect(next.kind).toBe("created");
    expect((await waitForRunEnd(e, next.run.id)).status).toBe("completed");
  });

  it("keeps polling while paused but triggers nothing new until resumed", async () => {
    await seedWorkspace(db, 11, ["octo/a", "octo/b"]);
    fake.script("octo/a", { hold: true });
    const e = engine();
    await e.start();
    const { run } = await e.request({
      installationId: 11,
      days: 30,
      source: "command",
      requestedBy: "mona",
    });
    await waitFor("the first job to be polled", () => fake.calls.some((c) => c.kind === "status"));
    await e.pause(11);
    fake.release("octo/a");
    await waitFor(
      "octo/a to complete",
      async () => (await e.getRun(run.id))!.items[0]!.status === "completed",
    );
    await counted.idleTurns(3);
    expect(fake.triggers().map((t) => t.repository)).toEqual(["octo/a"]);
    expect((await e.getRun(run.id))!.paused).toBe(true);
    await e.resume(11);
    expect((await waitForRunEnd(e, run.id)).status).toBe("completed");
    expect(fake.triggers().map((t) => t.repository)).toEqual(["octo/a", "octo/b"]);
  });

  it("ends the active run when the workspace is uninstalled", async () => {
    await seedWorkspace(db, 12, ["octo/a", "octo/b"]);
    const e = engine();
    const { run } = await e.request({
      installationId: 12,
      days: 30,
      source: "command",
      requestedBy: "mona",
    });
    await e.endWorkspace(12);
    expect((await e.getRun(run.id))!.status).toBe("cancelled");
    await e.start();
    await counted.idleTurns(3);
    expect(fake.calls).toHaveLength(0);
  });

  it("retries only the failed items of the last run", async () => {
    await seedWorkspace(db, 13, ["octo/a", "octo/gone", "octo/down"]);
    fake.script("octo/gone", { triggerAlways: { status: 404, json: {} } });
    fake.script("octo/down", { triggerAlways: { status: 500, json: {} } });
    const e = engine({ BACKFILL_DELAY_MS: 0 });
    await e.start();
    const { run } = await e.request({
      installationId: 13,
      days: 45,
      source: "command",
      requestedBy: "mona",
    });
    expect((await waitForRunEnd(e, run.id)).status).toBe("failed");
    fake.script("octo/down", { rows: 2 });
    const retry = await e.retryFailed(13, {
      source: "button",
      requestedBy: "hubot",
      deliveryId: "d-9",
      event: "check_run",
    });
    if (retry.kind !== "created") throw new Error(`retry answered ${retry.kind}`);
    expect(retry.run).toMatchObject({
      source: "retry",
      retryOf: run.id,
      days: 45,
      requestedBy: "hubot",
      total: 2,
    });
    const end = await waitForRunEnd(e, retry.run.id);
    expect(itemTable(end)).toEqual([
      { repo: "octo/gone", status: "failed", events: null, error: "Repository not found" },
      { repo: "octo/down", status: "completed", events: 2, error: null },
    ]);
    expect(fake.triggers().filter((t) => t.repository === "octo/a")).toHaveLength(1);
    fake.script("octo/gone", { rows: 1 });
    const again = await e.retryFailed(13, { source: "command", requestedBy: "mona" });
    if (again.kind !== "created") throw new Error(`retry answered ${again.kind}`);
    const last = await waitForRunEnd(e, again.run.id);
    expect(last).toMatchObject({ status: "completed", retryOf: retry.run.id, total: 1 });
    expect(await e.retryFailed(13, { source: "command", requestedBy: "mona" })).toEqual({
      kind: "nothing",
    });
    expect((await e.lastRun(13))!.id).toBe(last.id);
  });
});

describe("progress events", () => {
  it("survive throwing and rejecting listeners", async () => {
    await seedWorkspace(db, 14, ["octo/a", "octo/b"]);
    const e = engine();
    e.subscribe(() => {
      throw new Error("listener bug");
    });
    e.subscribe(async () => {
      throw new Error("async listener bug");
    });
    const events = recordEvents(e);
    const { run } = await e.request({
      installationId: 14,
      days: 30,
      source: "command",
      requestedBy: "mona",
    });
    await e.start();
    const end = await waitForRunEnd(e, run.id);
    expect(end).toMatchObject({ status: "completed", completed: 2 });
    await e.stop();
    const last = events.at(-1)!;
    expect(last.type).toBe("run.finished");
    expect(last.run).toMatchObject({
      completed: 2,
      total: 2,
    });
    const changes = events.filter((x) => x.type === "item.changed");
    // Each snapshot agrees with the item it reports.
    for (const change of changes) {
      if (change.type !== "item.changed") continue;
      expect(change.run.items.find((i) => i.id === change.item.id)).toEqual(change.item);
    }
    const completed = changes.map((x) => x.run.completed);
    expect(completed).toEqual([...completed].sort((a, b) => a - b));
    expect(completed.at(-1)).toBe(2);
  });
});
