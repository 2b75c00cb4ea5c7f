import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import {
  type FakeDatapipe,
  startFakeDatapipe,
  syntheticEventsWriter,
} from "../fakes/fake-datapipe.js";
import { FakeHook } from "../fakes/fake-hook.js";
import {
  type AppProcess,
  commentPayload,
  FaultyGitHub,
  LogBuffer,
  leakedSecrets,
  SECRETS,
  seedWorkspace,
  sendWebhook,
  startAppProcess,
  waitFor,
  waitForRunEnd,
} from "../faults/app-harness.js";
import { createTestDb, databaseUrlOf } from "../helpers/db.js";

/**
 * `npm start` killed with SIGKILL after a run's end and before its notification got
 * through: the next process sends it, once. The two processes share the database, so this
 * needs real Postgres. The dead process's lease (2 minutes in production) is expired by
 * hand: what is under test is what the next process does with the message.
 */
const HOOK_PATH = "/api/webhooks/1234/DiscordSecretToken";
const logs = new LogBuffer();
const apps: AppProcess[] = [];
let db: Db;
let github: FaultyGitHub;
let datapipe: FakeDatapipe;
let hook: FakeHook;

async function outbox() {
  const { rows } = await db.query<{ status: string; sent_at: Date | null; message: string | null }>(
    "select status, sent_at, message from notification_outbox",
  );
  return rows;
}

describe.skipIf(!process.env.DATABASE_URL)(
  "notifications across kill -9 (needs DATABASE_URL)",
  () => {
    beforeAll(async () => {
      db = await createTestDb();
      datapipe = await startFakeDatapipe({
        apiKey: SECRETS.GH_DATPIPE_KEY,
        writeRows: syntheticEventsWriter(db),
        defaultRows: 2,
      });
      github = new FaultyGitHub();
      hook = new FakeHook();
      await hook.listen(HOOK_PATH);
    });
    afterAll(async () => {
      await Promise.all(apps.map((a) => a.kill()));
      await hook?.close();
      await github?.close();
      await datapipe?.close();
      await db?.close();
    });

    it("SIGKILL after the run's end and before the send: one message after the restart", async () => {
      const host = await github.listen();
      await seedWorkspace(db, github, ["alpha", "beta"]);
      const env = {
        DATABASE_URL: databaseUrlOf(db)!,
        GHE_HOST: host,
        GH_DATPIPE_API_URL: datapipe.url,
        BACKFILL_DELAY_MS: "0",
        BACKFILL_POLL_INTERVAL_MS: "25",
        NOTIFY_DISCORD_WEBHOOK_URL: hook.url,
      };
      // The hook is down: the first process ends the run but cannot deliver its message.
      hook.fallback = 503;
      let app = await startAppProcess(env, logs);
      apps.push(app);
      expect(
        await sendWebhook(app.webhookUrl, "issue_comment", commentPayload("/backfill 30")),
      ).toBe(200);
      const runId = await waitForRunEnd(db, 30_000);
      await hook.posts(1);
      await app.kill();
      expect(hook.messages()).toEqual([]);
      expect(await outbox()).toMatchObject([{ status: "pending", sent_at: null }]);

      hook.fallback = 200;
      await db.query(
        "update notification_outbox set locked_until = now(), next_attempt_at = now()",
      );
      const before = hook.deliveries.length;
      app = await startAppProcess(env, logs);
      apps.push(app);
      await waitFor(
        "the message to be sent",
        async () => (await outbox())[0]?.status === "sent",
        30_000,
      );

      expect(hook.deliveries.slice(before).map((d) => d.status)).toEqual([200]);
      expect(hook.messages()).toHaveLength(1);
      const { rows } = await db.query<{ progress_comment_id: number }>(
        "select progress_comment_id from run_reports where run_id = $1",
        [runId],
      );
      const [message] = hook.messages() as { content: string }[];
      expect(message!.content).toContain(
        `run #${runId} (command requested by admin-user) completed: 2 completed, 0 failed of 2.`,
      );
      expect(message!.content).toContain(
        `[Progress comment](<http://${host}/octo-org/alpha/issues/1#issuecomment-${rows[0]!.progress_comment_id}>)`,
      );
      await app.kill();
      // Sent is recorded: no later process sends it again.
      expect(await outbox()).toMatchObject([{ status: "sent" }]);
      expect(logs.text()).not.toContain("DiscordSecretToken");
      expect(leakedSecrets(logs.text())).toEqual([]);
    }, 120_000);
  },
);
