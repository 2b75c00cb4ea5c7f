import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEngine, type EngineConfig } from "../../src/backfill/index.js";
import type { Engine } from "../../src/backfill/types.js";
import { workerPresence } from "../../src/backfill/worker-presence.js";
import type { Db } from "../../src/db/index.js";
import { createTestDb, resetDb } from "../helpers/db.js";
import {
  type FakeDatapipe,
  startFakeDatapipe,
  syntheticEventsWriter,
} from "../fakes/fake-datapipe.js";
import {
  itemTable,
  KEY,
  quietLog,
  seedWorkspace,
  testConfig,
  testTuning,
  waitFor,
  waitForRunEnd,
} from "./harness.js";

/**
 * What an engine does with items another worker left: taken over at once when that worker
 * is gone (its lease far from expiry), left alone while it lives, and never timed out for
 * the time nobody watched. On both backends: the presence locks are Postgres sessions'.
 */

let db: Db;
let fake: FakeDatapipe;
const engines: Engine[] = [];
const HOUR = 3_600_000;

beforeAll(async () => {
  db = await createTestDb();
  fake = await startFakeDatapipe({ writeRows: syntheticEventsWriter(db), defaultRows: 2 });
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

function engine(config: Partial<EngineConfig> = {}): Engine {
  const e = createEngine({
    db,
    config: testConfig(fake.url, { BACKFILL_DELAY_MS: 0, ...config }),
    log: quietLog,
    // A lease that would outlast the test: only the presence lock can free it.
    tuning: { ...testTuning, leaseMs: HOUR },
  });
  engines.push(e);
  return e;
}

let setupCalls = 0;

/** A job started at the fake, as an earlier process would have triggered it. */
async function startedJob(repository: string): Promise<string> {
  const res = await fetch(`${fake.url}/api/backfill/trigger`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": KEY },
    body: JSON.stringify({ repository, days: 30 }),
  });
  setupCalls = fake.calls.length;
  return ((await res.json()) as { job_id: string }).job_id;
}

/** What the engine asked gh-datapipe, after the test's own set-up. */
const engineCalls = () => fake.calls.slice(setupCalls);
const engineTriggers = () =>
  engineCalls()
    .filter((c) => c.kind === "trigger")
    .map((c) => c.repository);

/** The first item of the workspace's run as a worker left it mid-job. */
async function leftBy(
  installationId: number,
  worker: string,
  jobId: string,
  state: { watchedMs?: number; startedAgoMs?: number } = {},
) {
  await db.query(
    `update backfill_items i
        set status = 'processing', job_id = $2::text, progress = 0, locked_by = $3::text,
            locked_until = now() + interval '1 hour', watched_ms = $4::bigint,
            started_at = now() - make_interval(secs => $5::float8 / 1000)
       from backfill_runs r
      where r.id = i.run_id and r.installation_id = $1::bigint and i.position = 1`,
    [installationId, jobId, worker, state.watchedMs ?? 0, state.startedAgoMs ?? 0],
  );
  await db.query(
    "update backfill_runs set status = 'processing' where installation_id = $1::bigint",
    [installationId],
  );
}

const request = (e: Engine, installationId: number) =>
  e.request({ installationId, days: 30, source: "cli", requestedBy: null });

const statusCalls = (jobId: string) =>
  fake.calls.filter((c) => c.kind === "status" && c.jobId === jobId);

describe("items another worker left", () => {
  it("takes over a dead worker's job at once, polls it first and triggers the next only after it", async () => {
    await seedWorkspace(db, 1, ["octo/a", "octo/b"]);
    const e = engine();
    const { run } = await request(e, 1);
    fake.script("octo/a", { rows: 4, pollsUntilDone: 2 });
    const jobA = await startedJob("octo/a");
    // Left two hours ago by a process that is gone; watched 1 s before it went.
    await leftBy(1, "gone-worker", jobA, { watchedMs: 1_000, startedAgoMs: 2 * HOUR });

    const startedAt = performance.timeOrigin + performance.now();
    await e.start();
    const end = await waitForRunEnd(e, run.id);

    expect(itemTable(end)).toEqual([
      { repo: "octo/a", status: "completed", events: 4, error: null },
      { repo: "octo/b", status: "completed", events: 2, error: null },
    ]);
    expect(end.items[0]!.jobId).toBe(jobA);
    // The first thing done was reading the job: within 2 s, well before the 1-hour lease.
    expect(engineCalls()[0]).toMatchObject({ kind: "status", jobId: jobA });
    expect(engineCalls()[0]!.at - startedAt).toBeLessThan(2_000);
    // octo/b was triggered once, after octo/a's job said completed.
    expect(engineTriggers()).toEqual(["octo/b"]);
    const done = statusCalls(jobA).find((c) => c.jobStatus === "completed")!;
    expect(fake.triggers().at(-1)!.seq).toBeGreaterThan(done.seq);
  });

  it("leaves a living worker's item and its workspace alone, and takes them over when it goes", async () => {
    await seedWorkspace(db, 1, ["octo/a", "octo/b"]);
    await seedWorkspace(db, 2, ["octo/x", "octo/y"]);
    const e = engine();
    const { run: held } = await request(e, 1);
    const { run: other } = await request(e, 2);
    fake.script("octo/a", { hold: true, rows: 1 });
    const jobA = await startedJob("octo/a");
    // A replica that lives: it holds its presence lock, its lease has an hour left.
    const living = workerPresence(db, "living-worker");
    expect(await living.ensure()).toBe(true);
    try {
      await leftBy(1, "living-worker", jobA);
      await e.start();
      // The engine works the other workspace to its end meanwhile: it was free to claim.
      const end = await waitForRunEnd(e, other.id);
      expect(end.status).toBe("completed");
      expect(statusCalls(jobA)).toEqual([]);
      expect(engineTriggers()).toEqual(["octo/x", "octo/y"]);
      const { rows } = await db.query(
        "select name, status, locked_by from backfill_items where run_id = $1 order by position",
        [held.id],
      );
      expect(rows).toEqual([
        { name: "a", status: "processing", locked_by: "living-worker" },
        { name: "b", status: "pending", locked_by: null },
      ]);
    } finally {
      await living.release();
    }
    // Gone now: its item is taken over within 2 s, without waiting for its lease.
    const goneAt = performance.timeOrigin + performance.now();
    await waitFor("the job to be polled by the survivor", () => statusCalls(jobA).length > 0);
    expect(statusCalls(jobA)[0]!.at - goneAt).toBeLessThan(2_000);
    fake.release("octo/a");
    const end = await waitForRunEnd(e, held.id);
    expect(itemTable(end).map((i) => [i.repo, i.status])).toEqual([
      ["octo/a", "completed"],
      ["octo/b", "completed"],
    ]);
    expect(engineTriggers()).toEqual(["octo/x", "octo/y", "octo/b"]);
  });
});

describe("the job's time-out", () => {
  it("does not count the time nobody watched the job", async () => {
    await seedWorkspace(db, 1, ["octo/a"]);
    const e = engine({ BACKFILL_JOB_TIMEOUT_MS: 1_000 });
    const { run } = await request(e, 1);
    fake.script("octo/a", { rows: 3, pollsUntilDone: 3 });
    const jobA = await startedJob("octo/a");
    // Started two hours ago, watched 200 ms of them: 800 ms of watching are left.
    await leftBy(1, "gone-worker", jobA, { watchedMs: 200, startedAgoMs: 2 * HOUR });
    await e.start();
    const end = await waitForRunEnd(e, run.id);
    expect(itemTable(end)).toEqual([
      { repo: "octo/a", status: "completed", events: 3, error: null },
    ]);
    expect(engineCalls().map((c) => c.kind)).toEqual(["status", "status", "status", "status"]);
  });

  it("polls a job watched past its time-out once, then cancels and fails it", async () => {
    await seedWorkspace(db, 1, ["octo/a"]);
    const e = engine({ BACKFILL_JOB_TIMEOUT_MS: 1_000 });
    const { run } = await request(e, 1);
    fake.script("octo/a", { outcome: "never" });
    const jobA = await startedJob("octo/a");
    await leftBy(1, "gone-worker", jobA, { watchedMs: 1_500 });
    await e.start();
    const end = await waitForRunEnd(e, run.id);
    expect(itemTable(end)).toEqual([
      { repo: "octo/a", status: "failed", events: null, error: "Backfill job timed out" },
    ]);
    expect(engineCalls().map((c) => [c.kind, c.jobId, c.jobStatus])).toEqual([
      ["status", jobA, "running"],
      ["cancel", jobA, undefined],
    ]);
  });

  it("keeps adding to the watched time at each lease renewal", async () => {
    await seedWorkspace(db, 1, ["octo/a"]);
    const e = createEngine({
      db,
      config: testConfig(fake.url, { BACKFILL_DELAY_MS: 0, BACKFILL_JOB_TIMEOUT_MS: HOUR }),
      log: quietLog,
      tuning: { ...testTuning, leaseMs: 300 },
    });
    engines.push(e);
    fake.script("octo/a", { hold: true });
    const { run } = await request(e, 1);
    await e.start();
    const watched = async () =>
      (
        await db.query<{ watched_ms: number }>(
          "select watched_ms from backfill_items where run_id = $1",
          [run.id],
        )
      ).rows[0]!.watched_ms;
    const first = await waitFor("a renewal", async () => (await watched()) > 0 && watched());
    const later = await waitFor("a later renewal", async () =>
      (await watched()) > first ? watched() : null,
    );
    expect(later).toBeGreaterThan(first);
    fake.release("octo/a");
    await waitForRunEnd(e, run.id);
  });
});
