import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../src/backfill/index.js";
import type { Db } from "../../src/db/index.js";
import { createTestDb, databaseUrlOf } from "../helpers/db.js";
import {
  type FakeDatapipe,
  startFakeDatapipe,
  syntheticEventsWriter,
} from "../fakes/fake-datapipe.js";
import { KEY, quietLog, seedWorkspace, testConfig, waitFor, waitForRunEnd } from "./harness.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

// The child process and the test share the database: only a real Postgres can do that.
describe.skipIf(!process.env.DATABASE_URL)("kill and resume (needs DATABASE_URL)", () => {
  let db: Db;
  let fake: FakeDatapipe;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    db = await createTestDb();
    fake = await startFakeDatapipe({ writeRows: syntheticEventsWriter(db) });
  });
  afterAll(async () => {
    if (child?.pid && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    await fake.close();
    await db.close();
  });

  it("resumes after SIGKILL: no completed item re-triggered, the processing one polled again", async () => {
    await seedWorkspace(db, 1, ["octo/a", "octo/b", "octo/c"]);
    fake.script("octo/a", { rows: 2 });
    fake.script("octo/b", { rows: 3, hold: true });
    fake.script("octo/c", { rows: 1 });
    const config = testConfig(fake.url, { BACKFILL_DELAY_MS: 0, BACKFILL_POLL_INTERVAL_MS: 20 });
    const resumer = createEngine({
      db,
      config,
      log: quietLog,
      workerId: "resumer",
      tuning: { leaseMs: 1_000, idleMs: 50 },
    });
    const { run } = await resumer.request({
      installationId: 1,
      days: 30,
      source: "cli",
      requestedBy: "ops",
    });

    child = spawn("npx", ["tsx", "test/fixtures/run-engine.ts"], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        DATABASE_URL: databaseUrlOf(db),
        GH_DATPIPE_API_URL: fake.url,
        GH_DATPIPE_KEY: KEY,
        WORKER_ID: "doomed",
        LEASE_MS: "1000",
        BACKFILL_POLL_INTERVAL_MS: "20",
      },
    });
    let stderr = "";
    child.stderr!.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise((resolve) => child!.once("exit", resolve));

    // Mid-run: octo/a completed, octo/b's job polled a few times.
    const jobB = await waitFor(
      "the child to poll octo/b",
      () => {
        const polls = fake.calls.filter((c) => c.kind === "status" && c.repository === "octo/b");
        return polls.length >= 3 && polls[0]!.jobId;
      },
      30_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message} (stderr: ${stderr})`);
    });
    process.kill(-child.pid!, "SIGKILL");
    await exited;

    const { rows: left } = await db.query<{
      name: string;
      status: string;
      job_id: string | null;
      locked_by: string | null;
    }>("select name, status, job_id, locked_by from backfill_items order by position");
    expect(left).toEqual([
      { name: "a", status: "completed", job_id: fake.triggers()[0]!.jobId, locked_by: null },
      { name: "b", status: "processing", job_id: jobB, locked_by: "doomed" },
      { name: "c", status: "pending", job_id: null, locked_by: null },
    ]);
    const pollsBeforeKill = fake.calls.filter(
      (c) => c.jobId === jobB && c.kind === "status",
    ).length;
    fake.release("octo/b");

    await resumer.start();
    const end = await waitForRunEnd(resumer, run.id, 15_000);
    await resumer.stop();

    expect(end.items.map((i) => [i.fullName, i.status, i.eventsFound])).toEqual([
      ["octo/a", "completed", 2],
      ["octo/b", "completed", 3],
      ["octo/c", "completed", 1],
    ]);
    expect(end.items[1]!.jobId).toBe(jobB);
    expect(fake.triggers().map((t) => t.repository)).toEqual(["octo/a", "octo/b", "octo/c"]);
    expect(
      fake.calls.filter((c) => c.jobId === jobB && c.kind === "status").length,
    ).toBeGreaterThan(pollsBeforeKill);
  });
});
