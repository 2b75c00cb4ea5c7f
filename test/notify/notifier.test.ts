import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { createNotifier, type Notifier, type NotifierTuning } from "../../src/notify/index.js";
import { FakeHook } from "../fakes/fake-hook.js";
import { createTestDb, resetDb } from "../helpers/db.js";

/** Contract §7's notifications against a local fake hook (a real HTTP server on 127.0.0.1). */
const WS = 41;
const SECRET_PATH = "/services/T0SECRET/B0SECRET/xoxoSecretHookToken";
const fast: Partial<NotifierTuning> = {
  pollMs: 60_000,
  minTimeoutMs: 5,
  maxTimeoutMs: 20,
  requestTimeoutMs: 2_000,
  laterMs: 60_000,
};

let db: Db;
let hook: FakeHook;
let notifier: Notifier | null = null;
const logged: string[] = [];
const log = {
  info: (o: object, m: string) => logged.push(`${m} ${JSON.stringify(o)}`),
  warn: (o: object, m: string) => logged.push(`${m} ${JSON.stringify(o)}`),
  error: (o: object, m: string) => logged.push(`${m} ${JSON.stringify(o)}`),
};

async function start(channel: "slack" | "discord" = "slack", tuning = fast) {
  notifier = createNotifier({
    db,
    config:
      channel === "slack"
        ? { NOTIFY_SLACK_WEBHOOK_URL: hook.url }
        : { NOTIFY_DISCORD_WEBHOOK_URL: hook.url },
    webBase: "https://github.com",
    log,
    tuning,
  });
  await notifier.start();
  return notifier;
}

/** A run of two repositories, ended as the engine ends one (the run row's status updated). */
async function endedRun(status: "completed" | "failed" = "completed"): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `insert into backfill_runs (installation_id, days, source, requested_by, status)
     values ($1::bigint, 30, 'command', 'mona', 'processing') returning id::int`,
    [WS],
  );
  const id = rows[0]!.id;
  await db.query("insert into run_reports (run_id, progress_comment_id) values ($1::bigint, 777)", [
    id,
  ]);
  await db.query(
    `insert into backfill_items (run_id, position, owner, name, status)
     values ($1::bigint, 1, 'octo', 'a', 'completed'), ($1::bigint, 2, 'octo', 'b', $2::text)`,
    [id, status],
  );
  await db.query(
    "update backfill_runs set status = $2::text, finished_at = now() where id = $1::bigint",
    [id, status],
  );
  return id;
}

async function outbox() {
  const { rows } = await db.query<{
    run_id: number;
    channel: string;
    status: string;
    attempts: number;
  }>("select run_id::int, channel, status, attempts from notification_outbox order by id");
  return rows;
}

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.close();
});
beforeEach(async () => {
  await resetDb(db);
  logged.length = 0;
  hook = new FakeHook();
  await hook.listen(SECRET_PATH);
  await db.query(
    `insert into workspaces (installation_id, account_login, tracking_repository_id, tracking_issue_number)
     values ($1::bigint, 'octo', 501, 1)`,
    [WS],
  );
  await db.query(
    `insert into workspace_repositories (installation_id, repository_id, owner, name)
     values ($1::bigint, 501, 'octo', 'a'), ($1::bigint, 502, 'octo', 'b')`,
    [WS],
  );
});
afterEach(async () => {
  await notifier?.stop();
  notifier = null;
  await hook.close();
  // The hook's URL is a secret: not in any log line, whatever happened.
  expect(logged.filter((l) => l.includes("SECRET") || l.includes("Secret"))).toEqual([]);
});

describe("run-end notifications", () => {
  it("500 twice then 200: one message, retried with backoff, the outbox row sent", async () => {
    const n = await start();
    const run = await endedRun();
    hook.answer(500, 500, 200);
    expect(await n.tick()).toBe(1);
    expect(hook.deliveries.map((d) => d.status)).toEqual([500, 500, 200]);
    expect(hook.deliveries.every((d) => d.path === SECRET_PATH)).toBe(true);
    expect(hook.messages()).toEqual([
      {
        text: `*Workspace backfill · octo*: run #${run} (command requested by mona) completed: 2 completed, 0 failed of 2. Stars: 0.00/day over 30 days, n/a against the 30 days before. <https://github.com/octo/a/issues/1#issuecomment-777|Progress comment>`,
      },
    ]);
    expect(await outbox()).toEqual([
      { run_id: run, channel: "slack", status: "sent", attempts: 3 },
    ]);
    expect(await n.tick()).toBe(0);
    expect(hook.deliveries).toHaveLength(3);
  });

  it("Discord: its body shape, no pings, a failed run's counts", async () => {
    const n = await start("discord");
    const run = await endedRun("failed");
    expect(await n.tick()).toBe(1);
    expect(hook.messages()).toEqual([
      {
        content: `**Workspace backfill · octo**: run #${run} (command requested by mona) failed: 1 completed, 1 failed of 2. Stars: 0.00/day over 30 days, n/a against the 30 days before. [Progress comment](<https://github.com/octo/a/issues/1#issuecomment-777>)`,
        allowed_mentions: { parse: [] },
      },
    ]);
  });

  it("names the change in stars from the metrics: 60 stars in 30 days against 30 before is +100%", async () => {
    await db.query(
      `insert into github_events_cache (event_id, event_type, actor_login, repository_owner, repository_name, created_at)
       select 'w' || i, 'WatchEvent', 'u' || i, 'octo', 'a',
              now() - make_interval(hours => case when i <= 60 then i * 11 else 800 + (i - 60) * 20 end)
         from generate_series(1, 90) i`,
    );
    const n = await start();
    await endedRun();
    expect(await n.tick()).toBe(1);
    expect(JSON.stringify(hook.messages())).toContain(
      "Stars: 2.00/day over 30 days, +100% against the 30 days before.",
    );
  });

  it("runs that ended before the hook was configured are not posted", async () => {
    await endedRun();
    const n = await start();
    expect(await outbox()).toEqual([]);
    expect(await n.tick()).toBe(0);
    expect(hook.deliveries).toEqual([]);
    // Unset again: runs ending meanwhile are not kept for a later start.
    await createNotifier({ db, config: {}, webBase: "https://github.com", log }).start();
    await endedRun();
    expect(await outbox()).toEqual([]);
  });

  it("a hook down through every try: the message waits in the outbox for a later claim, still once", async () => {
    const n = await start("slack", { ...fast, retries: 1, laterMs: 0 });
    const run = await endedRun();
    hook.answer(503, { status: 429, headers: { "retry-after": "0" } }, 200);
    expect(await n.tick()).toBe(1);
    expect(hook.deliveries.map((d) => d.status)).toEqual([503, 429, 200]);
    expect(await outbox()).toEqual([
      { run_id: run, channel: "slack", status: "sent", attempts: 3 },
    ]);
  });

  it("a hook that refuses the message (404) is not asked again", async () => {
    const n = await start();
    const run = await endedRun();
    hook.answer(404);
    expect(await n.tick()).toBe(0);
    expect(await n.tick()).toBe(0);
    expect(hook.deliveries.map((d) => d.status)).toEqual([404]);
    expect(await outbox()).toEqual([
      { run_id: run, channel: "slack", status: "failed", attempts: 1 },
    ]);
    expect(logged.some((l) => l.includes("Slack webhook answered 404"))).toBe(true);
  });

  it("two notifiers (replicas) send one message between them", async () => {
    const a = await start();
    const b = createNotifier({
      db,
      config: { NOTIFY_SLACK_WEBHOOK_URL: hook.url },
      webBase: "https://github.com",
      log,
      tuning: fast,
    });
    await b.start();
    await endedRun();
    const [sa, sb] = await Promise.all([a.tick(), b.tick()]);
    await b.stop();
    expect(sa! + sb!).toBe(1);
    expect(hook.messages()).toHaveLength(1);
  });
});
