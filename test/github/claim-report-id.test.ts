import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { claimReportId } from "../../src/github/claim-report-id.js";
import { waitFor } from "../helpers/wait-for.js";
import { createTestDb, resetDb } from "../helpers/db.js";

let db: Db;
let runId: number;

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.close();
});
beforeEach(async () => {
  await resetDb(db);
  await db.query(`insert into workspaces (installation_id, account_login) values (3, 'octo')`);
  const { rows } = await db.query<{ id: number }>(
    `insert into backfill_runs (installation_id, days, source) values (3, 30, 'cli') returning id`,
  );
  runId = rows[0]!.id;
});

const ids = async () =>
  (
    await db.query<{ progress_comment_id: number | null; check_run_id: number | null }>(
      `select r.progress_comment_id, r.check_run_id
         from backfill_runs b left join run_reports r on r.run_id = b.id where b.id = $1::bigint`,
      [runId],
    )
  ).rows[0];

/** A create that counts its calls and answers `id` once `release` is called. */
function slowCreate(id: number) {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const create = {
    calls: 0,
    release,
    fn: async () => {
      create.calls++;
      await released;
      return id;
    },
  };
  return create;
}

const fast = { claimTtlMs: 120_000, pollMs: 5 };

describe("claimReportId", () => {
  it("two processes at once: one creates, the other waits for its id", async () => {
    const create = slowCreate(555);
    const both = Promise.all([
      claimReportId(db, runId, "progressComment", create.fn, fast),
      claimReportId(db, runId, "progressComment", create.fn, fast),
    ]);
    await waitFor("one process creating", () => create.calls > 0);
    create.release();
    const answers = await both;
    expect(create.calls).toBe(1);
    expect(answers.map((a) => a.created).sort()).toEqual([false, true]);
    expect(answers.map((a) => a.id)).toEqual([555, 555]);
    expect(await ids()).toEqual({ progress_comment_id: 555, check_run_id: null });
    // The check run is claimed apart.
    expect(await claimReportId(db, runId, "checkRun", async () => 777, fast)).toEqual({
      id: 777,
      created: true,
    });
    expect(await ids()).toEqual({ progress_comment_id: 555, check_run_id: 777 });
  });

  it("a claim left by a process that died is taken over once it is older than the limit", async () => {
    await db.query(
      `insert into run_reports (run_id, progress_comment_claimed_at)
       values ($1::bigint, now() - interval '3 minutes')`,
      [runId],
    );
    expect(await claimReportId(db, runId, "progressComment", async () => 9, fast)).toEqual({
      id: 9,
      created: true,
    });
  });

  it("a failed or empty creation lets the claim go: the next try creates at once", async () => {
    const failing = claimReportId(
      db,
      runId,
      "checkRun",
      async () => {
        throw new Error("502");
      },
      fast,
    );
    await expect(failing).rejects.toThrow("502");
    expect(await claimReportId(db, runId, "checkRun", async () => null, fast)).toEqual({
      id: null,
      created: false,
    });
    expect(await ids()).toEqual({ progress_comment_id: null, check_run_id: null });
    // A long limit: had the claim been kept, this would wait two minutes.
    expect(await claimReportId(db, runId, "checkRun", async () => 42, fast)).toEqual({
      id: 42,
      created: true,
    });
  });
});
