import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Db, openDb } from "../../src/db/index.js";
import {
  type FakeDatapipe,
  startFakeDatapipe,
  syntheticEventsWriter,
} from "../fakes/fake-datapipe.js";
import { createTestDb, databaseUrlOf, resetDb } from "../helpers/db.js";
import {
  createDatabase,
  havePostgres15,
  type PrivatePostgres,
  startPrivatePostgres,
} from "../helpers/private-postgres.js";
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
  waitForRunEnd,
} from "./app-harness.js";

/**
 * The app as `npm start` runs it, killed, doubled and cut off from its database. These
 * need a database that a second process can open: real Postgres only.
 *
 * After a SIGKILL the dead process's leases (30 s in production) are left as they are:
 * its presence lock died with it, so the next process takes its items over at once.
 */

const ROWS = 3;
const logs = new LogBuffer();
const apps: AppProcess[] = [];

let db: Db;
let github: FaultyGitHub;
let host: string;
let datapipe: FakeDatapipe;

async function start(env: Record<string, string> = {}, url = databaseUrlOf(db)!) {
  const app = await startAppProcess(
    {
      DATABASE_URL: url,
      GHE_HOST: host,
      GH_DATPIPE_API_URL: datapipe.url,
      BACKFILL_DELAY_MS: "0",
      BACKFILL_POLL_INTERVAL_MS: "25",
      BACKFILL_PROGRESS_EVERY: "1",
      ...env,
    },
    logs,
  );
  apps.push(app);
  return app;
}

const holdTriggers = (q: Db, hold: boolean) =>
  q.query(
    // Upserted: a workspace gets its pacing row with its first run, and this may come before.
    `insert into workspace_pacing (installation_id, next_trigger_at)
     select installation_id, case when $1::boolean then now() + interval '1 hour' else now() end
       from workspaces
     on conflict (installation_id) do update set next_trigger_at = excluded.next_trigger_at`,
    [hold],
  );
const expireLeases = (q: Db) =>
  q.query("update backfill_items set locked_until = now() where status = 'processing'");
let twoProcessComments: string[] = [];
const triggered = () => datapipe.triggers().map((c) => c.repository!.split("/")[1]);

describe.skipIf(!process.env.DATABASE_URL)(
  "the app process under faults (needs DATABASE_URL)",
  () => {
    beforeAll(async () => {
      db = await createTestDb();
      datapipe = await startFakeDatapipe({
        apiKey: SECRETS.GH_DATPIPE_KEY,
        writeRows: syntheticEventsWriter(db),
        defaultRows: ROWS,
      });
    });

    afterAll(async () => {
      await Promise.all(apps.map((a) => a.kill()));
      await github?.close();
      await datapipe?.close();
      await db?.close();
    });

    beforeEach(async () => {
      await Promise.all(apps.splice(0).map((a) => a.kill()));
      await github?.close();
      await resetDb(db);
      datapipe.reset();
      github = new FaultyGitHub();
      host = await github.listen();
    });

    it("SIGKILLed before the first trigger, while a job runs and between items: the run completes once", async () => {
      await seedWorkspace(db, github, ["alpha", "beta", "gamma"]);
      await holdTriggers(db, true);
      const command = commentPayload("/backfill 30");

      // 1. Killed before the first trigger: the run is recorded and reported, nothing triggered.
      let app = await start();
      expect(await sendWebhook(app.webhookUrl, "issue_comment", command)).toBe(200);
      await waitFor("the first progress writes", async () => {
        const { rows } = await db.query<{ c: number | null }>(
          "select check_run_id as c from run_reports",
        );
        return rows[0]?.c;
      });
      expect(triggered()).toEqual([]);
      await app.kill();

      // 2. Killed while alpha's job is running at gh-datapipe.
      datapipe.script(`${OWNER}/alpha`, { hold: true, rows: ROWS });
      await holdTriggers(db, false);
      app = await start();
      await waitFor("alpha's job id", async () => (await runRows(db)).items[0]?.job_id);
      await app.kill();
      expect(triggered()).toEqual(["alpha"]);

      // 3. Killed between items: alpha completed (its job polled again, not re-triggered), beta not begun.
      datapipe.release(`${OWNER}/alpha`);
      await holdTriggers(db, true);
      app = await start();
      await waitFor(
        "alpha to complete",
        async () => (await runRows(db)).items[0]?.status === "completed",
      );
      await app.kill();
      expect(triggered()).toEqual(["alpha"]);
      expect((await runRows(db)).items.map((i) => i.status)).toEqual([
        "completed",
        "pending",
        "pending",
      ]);

      // 4. The last life finishes the run.
      await holdTriggers(db, false);
      app = await start();
      await waitForRunEnd(db, 30_000);
      await waitFor(
        "the 🚀",
        () => github.reactionsOn(command.comment.id).includes("rocket"),
        30_000,
      );

      const { runs, items } = await runRows(db);
      expect(runs.map((r) => r.status)).toEqual(["completed"]);
      expect(items.map((i) => [i.name, i.status, i.events_found])).toEqual([
        ["alpha", "completed", ROWS],
        ["beta", "completed", ROWS],
        ["gamma", "completed", ROWS],
      ]);
      expect(triggered()).toEqual(["alpha", "beta", "gamma"]);
      expect(datapipe.jobs.size).toBe(3);
      const { rows } = await db.query<{ n: number }>(
        "select count(*)::int as n from github_events_cache",
      );
      expect(rows[0]!.n).toBe(3 * ROWS);

      // GitHub: one progress comment edited through four lives, one check run, 👀 and 🚀 once.
      const comments = github.commentsOn(OWNER, "alpha", TRACKING_ISSUE);
      expect(comments).toHaveLength(1);
      expect(comments[0]!.body).toContain("**3/3 (100%)**");
      expect(comments[0]!.body).toContain("### Results");
      expect([...github.checkRuns.values()]).toMatchObject([
        { status: "completed", conclusion: "success" },
      ]);
      expect(github.reactionsOn(command.comment.id)).toEqual(["eyes", "rocket"]);
      expect(
        github.calls().filter((c) => c.startsWith("POST /repos/") && c.endsWith("/issues")),
      ).toEqual([]);
    }, 90_000);

    it("two app processes on one database, the same webhook sent to both: one run, each job once", async () => {
      const names = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"];
      await seedWorkspace(db, github, names);
      const [a, b] = await Promise.all([start(), start()]);
      const command = commentPayload("/backfill 30");
      const statuses = await Promise.all(
        [a!, b!].map((app) =>
          sendWebhook(app.webhookUrl, "issue_comment", command, { id: "same-delivery" }),
        ),
      );
      expect(statuses).toEqual([200, 200]);
      await waitForRunEnd(db, 30_000);
      await waitFor(
        "the 🚀",
        () => github.reactionsOn(command.comment.id).includes("rocket"),
        30_000,
      );

      const { runs, items } = await runRows(db);
      expect(runs.map((r) => r.status)).toEqual(["completed"]);
      expect(items.every((i) => i.status === "completed" && i.events_found === ROWS)).toBe(true);
      expect(triggered().sort()).toEqual([...names].sort());
      expect(datapipe.jobs.size).toBe(names.length);
      // Each item finished once, by one process or the other.
      const finished = (app: AppProcess) =>
        app
          .output()
          .split("\n")
          .filter((l) => l.includes("Back-fill item finished")).length;
      expect(finished(a!) + finished(b!)).toBe(names.length);
      // The progress comment is the first on the issue, and one 🚀. Each process
      // adds its 👀 before either has recorded the delivery; GitHub keeps one per user.
      expect(github.commentsOn(OWNER, "alpha", TRACKING_ISSUE)[0]!.id).toBe(
        runs[0]!.progress_comment_id,
      );
      // A check run of the run ended completed/success. (When both processes report, a
      // second one may be created and left in_progress: see the report of issue 7.)
      expect([...github.checkRuns.values()]).toContainEqual(
        expect.objectContaining({
          status: "completed",
          conclusion: "success",
          external_id: "run-1",
        }),
      );
      expect(github.reactionsOn(command.comment.id).filter((r) => r !== "eyes")).toEqual([
        "rocket",
      ]);
      twoProcessComments = github.commentsOn(OWNER, "alpha", TRACKING_ISSUE).map((c) => c.body);
    }, 60_000);

    // The process that loses the race for the delivery is told `duplicate` by the engine
    // and stays silent, rather than replying "A back-fill is already running…".
    it("…and the duplicated delivery gets no reply", () => {
      expect(twoProcessComments).toHaveLength(1);
    });

    describe.skipIf(!process.env.DATABASE_URL)("Postgres restarted mid-run", () => {
      let server: PrivatePostgres | undefined;
      afterAll(async () => {
        await Promise.all(apps.splice(0).map((a) => a.kill()));
        await server?.destroy();
      });

      it("the app reconnects and the run completes, each job once", async (ctx) => {
        // Visible in the report as skipped: this machine has no Postgres 15 binaries.
        if (!(await havePostgres15())) ctx.skip();
        server = await startPrivatePostgres();
        const url = await createDatabase(server.url, "wbb_restart");
        const own = await openDb({
          databaseUrl: url,
          dataDir: "unused",
          max: 2,
          onError: () => {},
        });
        const ownDatapipe = await startFakeDatapipe({
          apiKey: SECRETS.GH_DATPIPE_KEY,
          writeRows: syntheticEventsWriter(own),
          defaultRows: ROWS,
        });
        try {
          const app = await startAppProcess(
            {
              DATABASE_URL: url,
              GHE_HOST: host,
              GH_DATPIPE_API_URL: ownDatapipe.url,
              BACKFILL_DELAY_MS: "0",
              BACKFILL_POLL_INTERVAL_MS: "25",
            },
            logs,
          );
          apps.push(app);
          await seedWorkspace(own, github, ["alpha", "beta", "gamma"]);
          ownDatapipe.script(`${OWNER}/beta`, { hold: true });
          const command = commentPayload("/backfill 30");
          expect(await sendWebhook(app.webhookUrl, "issue_comment", command)).toBe(200);
          await waitFor("beta's job id", async () => (await runRows(own)).items[1]?.job_id);

          await server.restart();
          ownDatapipe.release(`${OWNER}/beta`);
          // A write cut off by the restart leaves beta's lease to run out (30 s in production;
          // measured: the run then completes on its own). Expire it rather than wait.
          const ended = async () => (await runRows(own)).runs[0]?.status === "completed";
          await waitFor("the cut-off write or the run's end", async () =>
            app.output().includes("it will be resumed") ? true : ended(),
          );
          await expireLeases(own);
          await waitForRunEnd(own, 30_000);
          await waitFor(
            "the 🚀",
            () => github.reactionsOn(command.comment.id).includes("rocket"),
            30_000,
          );

          const { runs, items } = await runRows(own);
          expect(runs.map((r) => r.status)).toEqual(["completed"]);
          expect(items.map((i) => [i.name, i.status, i.events_found])).toEqual([
            ["alpha", "completed", ROWS],
            ["beta", "completed", ROWS],
            ["gamma", "completed", ROWS],
          ]);
          expect(ownDatapipe.triggers().map((c) => c.repository)).toEqual(
            ["alpha", "beta", "gamma"].map((n) => `${OWNER}/${n}`),
          );
          expect(github.commentsOn(OWNER, "alpha", TRACKING_ISSUE)).toHaveLength(1);
          // Still the same process: it reconnected rather than crashed. (Whether it logged a
          // lost connection depends on a pooled client being idle at the restart.)
          expect(app.child.exitCode).toBe(null);
        } finally {
          await ownDatapipe.close();
          await own.close();
        }
      }, 60_000);
    });

    it("no secret in anything the app processes logged or wrote to GitHub", () => {
      expect(logs.chunks.length).toBeGreaterThan(0);
      expect(leakedSecrets(logs.text())).toEqual([]);
      expect(leakedSecrets(JSON.stringify(github.requests))).toEqual([]);
    });
  },
);
