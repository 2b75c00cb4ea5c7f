import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRetryRun, createRun } from "../../src/backfill/create-run.js";
import type { Db } from "../../src/db/index.js";
import { createTestDb, resetDb } from "../helpers/db.js";
import { seedWorkspace } from "./harness.js";

/**
 * Which answers of the run store are duplicates: a delivery recorded before (GitHub
 * redelivered it, or sent it to two processes at once) needs no answer, while a new
 * delivery that meets an active run is a genuine second request.
 */

let db: Db;

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.close();
});
beforeEach(async () => {
  await resetDb(db);
  await seedWorkspace(db, 5, ["octo/a", "octo/b"]);
});

const request = (deliveryId: string) => ({
  installationId: 5,
  days: 30,
  source: "command" as const,
  requestedBy: "mona",
  deliveryId,
  event: "issue_comment",
  action: "created",
});

describe("createRun", () => {
  it("a delivery recorded before is a duplicate; a new one meeting the active run is not", async () => {
    const first = await createRun(db, request("d-1"));
    expect(first).toEqual({ runId: first.runId, kind: "created" });
    expect(await createRun(db, request("d-1"))).toEqual({
      runId: first.runId,
      kind: "duplicate",
    });
    expect(await createRun(db, request("d-2"))).toEqual({ runId: first.runId, kind: "active" });
    // A run requested without a delivery (the CLI) is never a duplicate.
    const { deliveryId: _, ...cli } = request("");
    expect(await createRun(db, { ...cli, source: "cli" })).toEqual({
      runId: first.runId,
      kind: "active",
    });
  });

  it("the same delivery requested at once by two processes: one run, the other a duplicate", async () => {
    const answers = await Promise.all([
      createRun(db, request("d-1")),
      createRun(db, request("d-1")),
    ]);
    const runId = answers.find((a) => a.kind === "created")!.runId;
    expect(answers.map((a) => a.kind).sort()).toEqual(["created", "duplicate"]);
    expect(answers.find((a) => a.kind !== "created")).toEqual({ runId, kind: "duplicate" });
    const { rows } = await db.query<{ n: number }>("select count(*)::int as n from backfill_runs");
    expect(rows[0]!.n).toBe(1);
  });
});

describe("createRetryRun", () => {
  it("a retry delivery recorded before is a duplicate", async () => {
    const first = await createRun(db, request("d-1"));
    await db.query(
      `update backfill_items set status = 'failed' where run_id = $1::bigint and name = 'b'`,
      [first.runId],
    );
    await db.query(`update backfill_runs set status = 'failed' where id = $1::bigint`, [
      first.runId,
    ]);
    const retry = { requestedBy: "mona", deliveryId: "d-9", event: "issue_comment" };
    const created = await createRetryRun(db, 5, retry);
    expect(created).toEqual({ runId: first.runId + 1, kind: "created" });
    expect(await createRetryRun(db, 5, retry)).toEqual({
      runId: first.runId + 1,
      kind: "duplicate",
    });
    expect(await createRetryRun(db, 5, { ...retry, deliveryId: "d-10" })).toEqual({
      runId: first.runId + 1,
      kind: "active",
    });
  });
});
