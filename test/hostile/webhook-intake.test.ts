import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { createTestDb, resetDb } from "../helpers/db.js";
import { examplePayload } from "../helpers/probot.js";
import {
  commentPayload,
  FaultyGitHub,
  type InProcessApp,
  INSTALLATION,
  leakedSecrets,
  SECRETS,
  seedWorkspace,
  sendWebhook,
  signBody,
  startInProcessApp,
} from "../faults/app-harness.js";

/**
 * Untrusted deliveries at Probot's HTTP server: forged or unsigned ones are refused before
 * any work (no row, no GitHub call); signed ones with missing fields or wrong types are
 * answered without a crash, and the server keeps serving.
 */

let db: Db;
let github: FaultyGitHub;
let app: InProcessApp;

beforeAll(async () => {
  db = await createTestDb();
  github = new FaultyGitHub();
  const host = await github.listen();
  app = await startInProcessApp({
    db,
    githubHost: host,
    throttle: false,
    env: { GH_DATPIPE_API_URL: "http://127.0.0.1:9", AUTO_BACKFILL_ON_INSTALL: "false" },
  });
});
afterAll(async () => {
  await app?.stop();
  await github?.close();
  await db?.close();
});
beforeEach(async () => {
  await resetDb(db);
  github.requests.length = 0;
});

async function rowCounts() {
  const { rows } = await db.query<{ deliveries: number; runs: number; workspaces: number }>(
    `select (select count(*)::int from webhook_deliveries) as deliveries,
            (select count(*)::int from backfill_runs) as runs,
            (select count(*)::int from workspaces) as workspaces`,
  );
  return rows[0]!;
}

async function post(headers: Record<string, string>, body: string) {
  const res = await fetch(app.webhookUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

describe("forged and incomplete deliveries", () => {
  it("are refused with 400 before any work", async () => {
    const payload = JSON.stringify(commentPayload("/backfill 30"));
    const signed = await signBody(payload);
    const base = { "x-github-event": "issue_comment", "x-github-delivery": "forged-1" };
    const answers = {
      wrongSecret: await post(
        { ...base, "x-hub-signature-256": await signBody(payload, "not-the-secret") },
        payload,
      ),
      tamperedBody: await post(
        { ...base, "x-hub-signature-256": signed },
        payload.replace("/backfill 30", "/backfill 31"),
      ),
      noSignature: await post(base, payload),
      sha1Only: await post({ ...base, "x-hub-signature": "sha1=0000" }, payload),
      garbageSignature: await post({ ...base, "x-hub-signature-256": "sha256=zz" }, payload),
      noEvent: await post(
        { "x-github-delivery": "forged-2", "x-hub-signature-256": signed },
        payload,
      ),
      noDelivery: await post(
        { "x-github-event": "issue_comment", "x-hub-signature-256": signed },
        payload,
      ),
      notJson: await post({ ...base, "x-hub-signature-256": await signBody("{oops") }, "{oops"),
    };
    expect(answers).toEqual({
      wrongSecret: 400,
      tamperedBody: 400,
      noSignature: 400,
      sha1Only: 400,
      garbageSignature: 400,
      noEvent: 400,
      noDelivery: 400,
      notJson: 400,
    });
    expect(await rowCounts()).toEqual({ deliveries: 0, runs: 0, workspaces: 0 });
    expect(github.requests).toEqual([]);
  });
});

describe("signed payloads with missing fields or wrong types", () => {
  const comment = () => commentPayload("/backfill 30");
  const cases: [string, string, () => unknown][] = [
    ["issue_comment", "empty object", () => ({})],
    ["issue_comment", "an array", () => []],
    ["issue_comment", "no installation", () => ({ ...comment(), installation: undefined })],
    [
      "issue_comment",
      "installation id a string",
      () => ({ ...comment(), installation: { id: "7001" } }),
    ],
    [
      "issue_comment",
      "comment body a number",
      () => ({ ...comment(), comment: { id: 1, body: 42 } }),
    ],
    [
      "issue_comment",
      "comment body null",
      () => ({ ...comment(), comment: { id: 1, body: null } }),
    ],
    [
      "issue_comment",
      "labels a string",
      () => ({ ...comment(), issue: { ...comment().issue, labels: "workspace-backfill" } }),
    ],
    ["issue_comment", "sender missing", () => ({ ...comment(), sender: undefined })],
    [
      "issue_comment",
      "repository owner missing",
      () => ({ ...comment(), repository: { id: 1, name: "x" } }),
    ],
    [
      "issues",
      "edited without issue",
      () => ({ action: "edited", installation: { id: INSTALLATION } }),
    ],
    [
      "check_run",
      "requested_action without check_run",
      () => ({ action: "requested_action", installation: { id: INSTALLATION } }),
    ],
    [
      "installation",
      "created without repositories",
      () => ({ action: "created", installation: { id: INSTALLATION, account: { login: "x" } } }),
    ],
    [
      "installation",
      "created, repositories not an array",
      () => ({
        ...examplePayload<Record<string, unknown>>("installation", "created"),
        repositories: "all",
      }),
    ],
    [
      "installation",
      "id as a huge number",
      () => ({
        ...examplePayload<Record<string, unknown>>("installation", "created"),
        installation: { id: 2 ** 70 },
      }),
    ],
    [
      "installation_repositories",
      "added without lists",
      () => ({ action: "added", installation: { id: INSTALLATION } }),
    ],
    [
      "repository",
      "renamed without changes",
      () => ({ action: "renamed", installation: { id: INSTALLATION } }),
    ],
  ];

  it.each(cases)(
    "%s: %s is answered without a 5xx and starts nothing",
    async (name, _what, make) => {
      await seedWorkspace(db, github, ["alpha"]);
      github.requests.length = 0;
      const status = await sendWebhook(app.webhookUrl, name, make());
      expect(status).toBeLessThan(500);
      const { runs } = await rowCounts();
      expect(runs).toBe(0);
      expect(
        github.requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/access_tokens")),
      ).toEqual([]);
      expect((await fetch(`${app.url}/ping`)).status).toBe(200);
    },
  );

  it("a signed `null` body is refused inside Probot (500) before any handler, and serving goes on", async () => {
    const status = await sendWebhook(app.webhookUrl, "issue_comment", null);
    expect(status).toBe(500);
    expect(await rowCounts()).toEqual({ deliveries: 0, runs: 0, workspaces: 0 });
    expect((await fetch(`${app.url}/ping`)).status).toBe(200);
  });

  it("nothing logged for these carries a secret", () => {
    expect(leakedSecrets(app.logs.text())).toEqual([]);
    expect(app.logs.text()).not.toContain(SECRETS.WEBHOOK_SECRET);
  });
});
