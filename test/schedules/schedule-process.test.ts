import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { ConfigFilesGitHub } from "../fakes/config-files-github.js";
import {
  type FakeDatapipe,
  startFakeDatapipe,
  syntheticEventsWriter,
} from "../fakes/fake-datapipe.js";
import {
  type AppProcess,
  INSTALLATION,
  LogBuffer,
  OWNER,
  SECRETS,
  seedWorkspace,
  startAppProcess,
  TRACKING_ISSUE,
  waitFor,
  waitForRunEnd,
} from "../faults/app-harness.js";
import { createTestDb, databaseUrlOf } from "../helpers/db.js";

/**
 * `npm start` after being down through three due times of a weekly schedule: the scheduler
 * the server starts fires once, reading the file from GitHub first, and the run's progress
 * comment says `(schedule)`. The test reads the app's database: real Postgres only.
 */
const logs = new LogBuffer();
let app: AppProcess | null = null;
let db: Db;
let github: ConfigFilesGitHub;
let datapipe: FakeDatapipe;

describe.skipIf(!process.env.DATABASE_URL)("the server's scheduler (needs DATABASE_URL)", () => {
  beforeAll(async () => {
    db = await createTestDb();
    datapipe = await startFakeDatapipe({
      apiKey: SECRETS.GH_DATPIPE_KEY,
      writeRows: syntheticEventsWriter(db),
      defaultRows: 1,
    });
    github = new ConfigFilesGitHub();
  });
  afterAll(async () => {
    await app?.kill();
    await github?.close();
    await datapipe?.close();
    await db?.close();
  });

  it("a time missed while the app was down fires once when it is back", async () => {
    const host = await github.listen();
    await seedWorkspace(db, github, ["alpha", "beta"]);
    github.setFile(
      OWNER,
      "alpha",
      ".github/workspace-backfill.yml",
      'schedule: "0 6 * * 1"\ndays: 7\n',
    );
    // The last process saw the schedule due on 2026-11-09 and went down before it.
    await db.query(
      `insert into schedule_state (installation_id, schedule_key, next_due_at)
       values ($1::bigint, '0 6 * * 1|UTC', '2026-11-09T06:00:00Z')`,
      [INSTALLATION],
    );
    app = await startAppProcess(
      {
        DATABASE_URL: databaseUrlOf(db)!,
        GHE_HOST: host,
        GH_DATPIPE_API_URL: datapipe.url,
        BACKFILL_DELAY_MS: "0",
        BACKFILL_POLL_INTERVAL_MS: "25",
      },
      logs,
    );
    const runId = await waitForRunEnd(db, 30_000);
    const comment = await waitFor("the final progress comment", () =>
      github
        .commentsOn(OWNER, "alpha", TRACKING_ISSUE)
        .find((c) => c.body.includes(`Back-fill run #${runId} of 7 days (schedule): completed`)),
    );
    expect(comment.body).toContain("**2/2 (100%)** completed");
    const contents = github.calls().filter((c) => c.includes("/contents/"));
    expect(contents[0]).toBe(`GET /repos/${OWNER}/alpha/contents/.github%2Fworkspace-backfill.yml`);

    const { rows } = await db.query<{ next_due_at: Date; last_due_at: Date; last_outcome: string }>(
      "select next_due_at, last_due_at, last_outcome from schedule_state",
    );
    expect(rows[0]!.last_due_at).toEqual(new Date("2026-11-09T06:00:00Z"));
    expect(rows[0]!.last_outcome).toBe("started");
    // The next due time is the next Monday 06:00 UTC after the restart, not a missed one.
    const next = rows[0]!.next_due_at;
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
    expect([next.getUTCDay(), next.getUTCHours(), next.getUTCMinutes()]).toEqual([1, 6, 0]);
    const runs = await db.query("select id from backfill_runs where source = 'schedule'");
    expect(runs.rows).toHaveLength(1);
    expect(datapipe.triggers().map((t) => [t.repository, t.days])).toEqual([
      [`${OWNER}/alpha`, 7],
      [`${OWNER}/beta`, 7],
    ]);
  }, 90_000);
});
