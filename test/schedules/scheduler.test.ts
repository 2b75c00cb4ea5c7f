import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEngine } from "../../src/backfill/index.js";
import type { Engine } from "../../src/backfill/types.js";
import type { Db } from "../../src/db/index.js";
import { loadScheduleLines } from "../../src/github/dashboard-schedule-lines.js";
import {
  createScheduler,
  loadScheduleView,
  type Scheduler,
  saveSettings,
  syncSchedule,
  type WorkspaceSettings,
} from "../../src/schedules/index.js";
import { quietLog, seedWorkspace, testConfig } from "../backfill/harness.js";
import { createTestDb, resetDb } from "../helpers/db.js";

/**
 * Contract §7 with an injected clock: `0 6 * * 1` in Europe/Berlin is due every Monday at
 * 05:00 UTC in winter (2026-12-07, -14, -21, -28, 2027-01-04).
 */
const WS = 31;
const WEEKLY: WorkspaceSettings = { schedule: "0 6 * * 1", timezone: "Europe/Berlin", days: 30 };
const log = { warn() {}, error() {} };
const config = { BACKFILL_DEFAULT_DAYS: 90, BACKFILL_MAX_DAYS: 90 };

let db: Db;
let engine: Engine;
let clock: Date;
const now = () => clock;
const at = (iso: string) => {
  clock = new Date(iso);
};

function scheduler(workerId: string, e: Pick<Engine, "request"> = engine): Scheduler {
  return createScheduler({
    db,
    engine: e,
    config,
    now,
    workerId,
    refreshSettings: async () => {},
    log,
  });
}

async function configure(settings: WorkspaceSettings) {
  await saveSettings(db, WS, { settings, version: "v1", sources: [] });
  await syncSchedule(db, WS, settings, now());
}

async function runs() {
  const { rows } = await db.query<{ id: number; source: string; days: number; status: string }>(
    "select id::int, source, days, status from backfill_runs order by id",
  );
  return rows;
}

async function endRuns() {
  await db.query(
    "update backfill_runs set status = 'completed', finished_at = now() where status in ('pending', 'processing')",
  );
}

async function deliveries() {
  const { rows } = await db.query<{ delivery_id: string }>(
    "select delivery_id from webhook_deliveries where event = 'schedule' order by delivery_id",
  );
  return rows.map((r) => r.delivery_id);
}

beforeAll(async () => {
  db = await createTestDb();
  engine = createEngine({ db, config: testConfig("http://127.0.0.1:9"), log: quietLog });
});
afterAll(async () => {
  await db?.close();
});
beforeEach(async () => {
  await resetDb(db);
  await seedWorkspace(db, WS, ["octo/a", "octo/b"]);
  at("2026-12-01T09:00:00Z");
});

describe("a weekly schedule (injected clock)", () => {
  it("fires once per week, at its due time and not before", async () => {
    await configure(WEEKLY);
    const s = scheduler("one");
    expect((await loadScheduleView(db, WS))?.nextDueAt).toEqual(new Date("2026-12-07T05:00:00Z"));

    at("2026-12-07T04:59:59Z");
    expect(await s.tick()).toEqual([]);
    at("2026-12-07T05:00:05Z");
    const [first, ...more] = await s.tick();
    expect(more).toEqual([]);
    expect(first).toMatchObject({ outcome: "started", created: true });
    at("2026-12-07T05:00:15Z");
    expect(await s.tick()).toEqual([]);
    await endRuns();
    // Every day of the week after: nothing until the next Monday.
    for (const day of ["08", "09", "10", "11", "12", "13"]) {
      at(`2026-12-${day}T05:00:05Z`);
      expect(await s.tick()).toEqual([]);
    }
    at("2026-12-14T05:00:03Z");
    expect((await s.tick()).map((f) => f.outcome)).toEqual(["started"]);

    expect(await runs()).toEqual([
      { id: 1, source: "schedule", days: 30, status: "completed" },
      { id: 2, source: "schedule", days: 30, status: "pending" },
    ]);
    expect(await deliveries()).toEqual([
      `schedule:${WS}:2026-12-07T05:00:00.000Z`,
      `schedule:${WS}:2026-12-14T05:00:00.000Z`,
    ]);
    expect((await loadScheduleView(db, WS))?.nextDueAt).toEqual(new Date("2026-12-21T05:00:00Z"));
  });

  it("fires once across two replicas looking at the same moment", async () => {
    await configure(WEEKLY);
    const a = scheduler("replica-a");
    const b = scheduler("replica-b");
    at("2026-12-07T05:00:02Z");
    const [fa, fb] = await Promise.all([a.tick(), b.tick()]);
    expect([...fa!, ...fb!].map((f) => f.outcome)).toEqual(["started"]);
    expect((await runs()).length).toBe(1);
    expect([...(await a.tick()), ...(await b.tick())]).toEqual([]);
  });

  it("a replica that dies after asking for the run: the next one takes the lease over, still one run", async () => {
    await configure(WEEKLY);
    // Asks the engine, then dies before recording the firing.
    const dying: Pick<Engine, "request"> = {
      async request(r) {
        await engine.request(r);
        throw new Error("killed");
      },
    };
    at("2026-12-07T05:00:02Z");
    expect(await scheduler("doomed", dying).tick()).toEqual([]);
    const survivor = scheduler("survivor");
    at("2026-12-07T05:00:30Z");
    expect(await survivor.tick()).toEqual([]); // the lease still holds
    at("2026-12-07T05:01:05Z");
    const firings = await survivor.tick();
    expect(firings).toMatchObject([{ outcome: "started", created: false }]);
    expect((await runs()).length).toBe(1);
    expect((await loadScheduleView(db, WS))?.nextDueAt).toEqual(new Date("2026-12-14T05:00:00Z"));
  });

  it("after a restart that missed three due times, fires once, then keeps to the week", async () => {
    at("2026-12-05T12:00:00Z");
    await configure(WEEKLY);
    // Down from before 2026-12-07 until after 2026-12-21: three due times missed.
    at("2026-12-23T10:00:00Z");
    const restarted = scheduler("after-restart");
    expect((await restarted.tick()).map((f) => f.dueAt.toISOString())).toEqual([
      "2026-12-07T05:00:00.000Z",
    ]);
    expect(await restarted.tick()).toEqual([]);
    expect((await runs()).length).toBe(1);
    expect((await loadScheduleView(db, WS))?.nextDueAt).toEqual(new Date("2026-12-28T05:00:00Z"));
  });

  it("skipped while a run is active: no second run, the dashboard says so, the next week fires", async () => {
    await configure(WEEKLY);
    const command = await engine.request({
      installationId: WS,
      days: 90,
      source: "command",
      requestedBy: "mona",
    });
    at("2026-12-07T05:00:04Z");
    const s = scheduler("one");
    expect(await s.tick()).toMatchObject([{ outcome: "skipped", run: { id: command.run.id } }]);
    expect((await runs()).map((r) => r.source)).toEqual(["command"]);
    expect(await loadScheduleLines(db, WS, config)).toEqual([
      "**Schedule:** `0 6 * * 1` (Europe/Berlin): 30 days of every repository. Next run: 2026-12-14 06:00 Europe/Berlin.",
      `The scheduled run due 2026-12-07 06:00 Europe/Berlin was skipped: run #${command.run.id} was active.`,
    ]);
    await endRuns();
    at("2026-12-14T05:00:04Z");
    expect((await s.tick()).map((f) => f.outcome)).toEqual(["started"]);
    expect(await loadScheduleLines(db, WS, config)).toEqual([
      "**Schedule:** `0 6 * * 1` (Europe/Berlin): 30 days of every repository. Next run: 2026-12-21 06:00 Europe/Berlin.",
    ]);
  });

  it("only_gaps takes the repositories whose coverage has gaps; exclude is never taken; all is the whole history", async () => {
    await db.query(
      `insert into workspace_repositories (installation_id, repository_id, owner, name)
       values ($1::bigint, 99, 'octo', 'c')`,
      [WS],
    );
    // octo/a has an event every day of the 60 days before the due time: no gap.
    await db.query(
      `insert into github_events_cache (event_id, event_type, actor_login, repository_owner, repository_name, created_at)
       select 'e' || d, 'WatchEvent', 'u' || d, 'octo', 'a', timestamptz '2026-12-07 04:00Z' - make_interval(days => d)
         from generate_series(0, 61) d`,
    );
    await configure({ ...WEEKLY, days: "all", only_gaps: true, exclude: ["OCTO/c"] });
    at("2026-12-07T05:00:04Z");
    const [firing] = await scheduler("one").tick();
    expect(firing?.run?.items.map((i) => i.fullName)).toEqual(["octo/b"]);
    expect(firing?.run?.days).toBe(90);
  });

  it("a schedule removed or changed before its due time does not fire at the old time", async () => {
    await configure(WEEKLY);
    await configure({ schedule: "30 7 * * *", timezone: "UTC" });
    expect((await loadScheduleView(db, WS))?.nextDueAt).toEqual(new Date("2026-12-02T07:30:00Z"));
    await configure({});
    expect(await loadScheduleView(db, WS)).toBeNull();
    at("2026-12-07T05:00:04Z");
    expect(await scheduler("one").tick()).toEqual([]);
  });

  it("an uninstalled workspace's schedule stops, and starts again when the file is read anew", async () => {
    await configure(WEEKLY);
    await db.query("update workspaces set status = 'deleted' where installation_id = $1", [WS]);
    at("2026-12-07T05:00:04Z");
    expect(await scheduler("one").tick()).toEqual([]);
    expect((await loadScheduleView(db, WS))?.nextDueAt).toBeNull();
    expect(await runs()).toEqual([]);
    await db.query("update workspaces set status = 'active' where installation_id = $1", [WS]);
    await configure(WEEKLY);
    expect((await loadScheduleView(db, WS))?.nextDueAt).toEqual(new Date("2026-12-14T05:00:00Z"));
  });
});
