import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import {
  type FakeDatapipe,
  startFakeDatapipe,
  syntheticEventsWriter,
} from "../fakes/fake-datapipe.js";
import { createTestDb, resetDb } from "../helpers/db.js";
import {
  commentPayload,
  FaultyGitHub,
  type InProcessApp,
  leakedSecrets,
  OWNER,
  runRows,
  SECRETS,
  seedWorkspace,
  sendWebhook,
  startInProcessApp,
  TRACKING_ISSUE,
  waitFor,
  waitForRunEnd,
} from "./app-harness.js";

/**
 * GitHub failing while the app writes progress: 5xx and secondary-rate-limit 403s. The app
 * runs as `npm start` wires it (Probot's default octokit: retries and throttling on), so a
 * 5xx is retried by Probot and a secondary rate limit is not. The run is the app's own
 * business and must end right whatever GitHub does; the GitHub writes must catch up.
 */

const SECONDARY = {
  status: 403,
  body: {
    message:
      "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
    documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
  },
};
const BAD_GATEWAY = { status: 502, body: { message: "Server Error" } };
const REPOS = ["alpha", "beta", "gamma"];

let db: Db;
let github: FaultyGitHub;
let host: string;
let datapipe: FakeDatapipe;
let app: InProcessApp | undefined;

beforeAll(async () => {
  db = await createTestDb();
  datapipe = await startFakeDatapipe({
    apiKey: SECRETS.GH_DATPIPE_KEY,
    writeRows: syntheticEventsWriter(db),
    defaultRows: 3,
    instant: true,
  });
});

afterAll(async () => {
  await app?.stop();
  await github?.close();
  await datapipe?.close();
  await db?.close();
});

beforeEach(async () => {
  await app?.stop();
  await github?.close();
  await resetDb(db);
  datapipe.reset();
  github = new FaultyGitHub();
  host = await github.listen();
  await seedWorkspace(db, github, REPOS);
  app = await startInProcessApp({
    db,
    githubHost: host,
    env: {
      GH_DATPIPE_API_URL: datapipe.url,
      BACKFILL_DELAY_MS: "0",
      BACKFILL_POLL_INTERVAL_MS: "10",
      BACKFILL_PROGRESS_EVERY: "1",
    },
    tuning: { idleMs: 50 },
  });
});

const isCommentEdit = (method: string, path: string) =>
  method === "PATCH" && /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/\d+$/.test(path);
const isCheckRunUpdate = (method: string, path: string) =>
  method === "PATCH" && /\/check-runs\/\d+$/.test(path);
const isReaction = (method: string, path: string) =>
  method === "POST" && path.endsWith("/reactions");

describe("GitHub faults while writing progress", () => {
  it("a progress edit answered 502 is retried; the run completes and the comment ends right", async () => {
    github.fail(isCommentEdit, BAD_GATEWAY, 1);
    const command = commentPayload("/backfill 30");
    expect(await sendWebhook(app!.webhookUrl, "issue_comment", command)).toBe(200);
    await waitForRunEnd(db);
    await waitFor("the 🚀", () => github.reactionsOn(command.comment.id).length === 2, 30_000);
    await app!.surfaces.idle();

    const { runs, items } = await runRows(db);
    expect(runs.map((r) => r.status)).toEqual(["completed"]);
    expect(items.map((i) => i.status)).toEqual(["completed", "completed", "completed"]);
    expect(github.faulted).toEqual([
      expect.stringMatching(/^PATCH .*issues\/comments\/\d+ -> 502$/),
    ]);
    const comments = github.commentsOn(OWNER, "alpha", TRACKING_ISSUE);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("**3/3 (100%)**");
    expect(comments[0]!.body).toContain("### Results");
    expect([...github.checkRuns.values()]).toMatchObject([
      { status: "completed", conclusion: "success" },
    ]);
    expect(github.reactionsOn(command.comment.id)).toEqual(["eyes", "rocket"]);
    expect(leakedSecrets(app!.logs.text())).toEqual([]);
  });

  it("a secondary rate limit on the final check-run update does not fail the run", async () => {
    github.fail(isCheckRunUpdate, SECONDARY, 1);
    const command = commentPayload("/backfill 30");
    expect(await sendWebhook(app!.webhookUrl, "issue_comment", command)).toBe(200);
    await waitForRunEnd(db);
    await app!.surfaces.idle();

    const { runs, items } = await runRows(db);
    expect(runs.map((r) => r.status)).toEqual(["completed"]);
    expect(items.map((i) => i.status)).toEqual(["completed", "completed", "completed"]);
    expect(github.faulted).toEqual([expect.stringMatching(/check-runs\/\d+ -> 403$/)]);
    // The final comment was written before the check run was touched.
    expect(github.commentsOn(OWNER, "alpha", TRACKING_ISSUE)[0]!.body).toContain("### Results");
    expect(leakedSecrets(app!.logs.text())).toEqual([]);
  });

  // A refused write is tried again (backoff, Retry-After) even after the run's last event.
  // With throttling on, the final writes are spaced ~1 s: allow several seconds.
  it("…and the check run, the dashboard and the 🚀 still catch up", async () => {
    github.fail(isCheckRunUpdate, SECONDARY, 1);
    const command = commentPayload("/backfill 30");
    expect(await sendWebhook(app!.webhookUrl, "issue_comment", command)).toBe(200);
    await waitForRunEnd(db);
    await waitFor(
      "the check run to complete",
      () => [...github.checkRuns.values()][0]?.status === "completed",
      10_000,
    );
    expect([...github.checkRuns.values()]).toMatchObject([
      { status: "completed", conclusion: "success" },
    ]);
    await waitFor(
      "the 🚀",
      () => github.reactionsOn(command.comment.id).includes("rocket"),
      10_000,
    );
  });

  // The 👀 is written in the background: its refusal neither fails the webhook (GitHub
  // would not redeliver it by itself) nor drops the command.
  it("a 👀 refused by a secondary rate limit does not lose the command", async () => {
    github.fail((m, p) => isReaction(m, p), SECONDARY, 1);
    const command = commentPayload("/backfill 30");
    await sendWebhook(app!.webhookUrl, "issue_comment", command);
    // The handler has answered: the run exists by now or never will.
    expect((await runRows(db)).runs).toHaveLength(1);
  });

  it("after a refused 👀 the app answers the next command as usual", async () => {
    github.fail((m, p) => isReaction(m, p), SECONDARY, 1);
    // The first run stays active until the second command has been answered.
    datapipe.script(`${OWNER}/alpha`, { hold: true });
    const first = commentPayload("/backfill 30");
    expect(await sendWebhook(app!.webhookUrl, "issue_comment", first)).toBe(200);
    const again = commentPayload("/backfill 30");
    expect(await sendWebhook(app!.webhookUrl, "issue_comment", again)).toBe(200);
    datapipe.release(`${OWNER}/alpha`);
    await waitForRunEnd(db);
    const { runs, items } = await runRows(db);
    expect(runs.map((r) => r.status)).toEqual(["completed"]);
    expect(items.map((i) => i.status)).toEqual(["completed", "completed", "completed"]);
    expect(datapipe.triggers()).toHaveLength(3);
  });
});
