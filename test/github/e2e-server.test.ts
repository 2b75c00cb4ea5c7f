import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { FakeGitHub } from "../fakes/fake-github.js";
import { type FakeDatapipe, startFakeDatapipe } from "../fakes/fake-datapipe.js";
import type { Db } from "../../src/db/index.js";
import { createTestDb, databaseUrlOf } from "../helpers/db.js";
import { examplePayload, testPrivateKey } from "../helpers/probot.js";
import { openApiTemplate } from "./openapi-routes.js";
import { waitFor } from "../helpers/wait-for.js";

// biome-ignore lint/suspicious/noExplicitAny: tests patch arbitrary fields of GitHub's example payloads
type Payload = Record<string, any>;

/**
 * The real server, started as `npm start` starts it (src/main.ts: migrations, Probot's
 * `run`, the engine), against a GitHub-compatible fake on loopback (GHE_HOST, http) and a
 * fake gh-datapipe. Throttling and retries stay on, as in production: writes are spaced
 * 1-3 s, so this test takes a while and waits on state, never on time.
 */

const require = createRequire(import.meta.url);
const SECRET = "e2e-secret";
const INSTALLATION = 4242;
let github: FakeGitHub;
let datapipe: FakeDatapipe;
let server: ChildProcess | undefined;
let port = 0;
let dataDir = "";
let output = "";
/** On real Postgres, a database of this file's own (the server migrates and uses it). */
let db: Db | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** `waitFor`, with the server's last output when it times out. */
function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  ms = 60_000,
): Promise<T> {
  return waitFor(what, probe, ms, 100).catch((err: Error) => {
    throw new Error(`${err.message}\n${output.slice(-3000)}`);
  });
}

async function post(event: string, payload: unknown, delivery: string): Promise<number> {
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
  const res = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": delivery,
      "x-hub-signature-256": signature,
    },
    body,
  });
  await res.text();
  return res.status;
}

beforeAll(async () => {
  github = new FakeGitHub({ webBase: "https://github.example" });
  github
    .addRepo({ id: 501, owner: "octo-org", name: "site" })
    .addRepo({ id: 502, owner: "octo-org", name: "api" });
  github.addIssue("octo-org", "site", {
    number: 1,
    title: "Workspace backfill",
    labels: ["workspace-backfill"],
  });
  github.setPermission("octocat", "write", "maintain");
  const ghHost = await github.listen();
  datapipe = await startFakeDatapipe({ apiKey: "e2e-key", instant: true });
  port = await freePort();
  if (process.env.DATABASE_URL) db = await createTestDb();
  const databaseUrl = db ? databaseUrlOf(db) : undefined;
  dataDir = mkdtempSync(join(tmpdir(), "wbb-e2e-"));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    APP_ID: "123",
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET: SECRET,
    PORT: String(port),
    HOST: "127.0.0.1",
    GHE_HOST: ghHost,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: "warn",
    DATA_DIR: join(dataDir, "db"),
    GH_DATPIPE_API_URL: datapipe.url,
    GH_DATPIPE_KEY: "e2e-key",
    BACKFILL_DELAY_MS: "0",
    BACKFILL_POLL_INTERVAL_MS: "50",
    BACKFILL_PROGRESS_EVERY: "1",
    AUTO_BACKFILL_ON_INSTALL: "false",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  // From an empty directory, so no stray .env or *.pem is picked up.
  server = spawn(
    process.execPath,
    ["--import", pathToFileURL(require.resolve("tsx")).href, join(process.cwd(), "src/main.ts")],
    {
      cwd: dataDir,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  server.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  server.stderr?.on("data", (d: Buffer) => (output += d.toString()));
}, 90_000);

afterAll(async () => {
  if (server?.pid) {
    const exited = server.exitCode !== null ? Promise.resolve() : once(server, "exit");
    try {
      process.kill(-server.pid, "SIGTERM");
    } catch {}
    // A clean stop first; whatever is left of the process group after 5 s is killed.
    await Promise.race([exited, sleep(5_000)]);
    try {
      process.kill(-server.pid, "SIGKILL");
    } catch {}
  }
  await github?.close();
  await datapipe?.close();
  await db?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it("a signed `/backfill 30` flows through to 👀, an edited progress comment, 🚀 and a completed check run", async () => {
  // The server is up once the webhook path answers.
  let ping = 0;
  await until("the server to start", async () => {
    try {
      return (await post("ping", { zen: "hi", hook_id: 1 }, `ping-${++ping}`)) < 500;
    } catch {
      return false;
    }
  });

  const install = examplePayload<Payload>("installation", "created");
  install.installation.id = INSTALLATION;
  install.installation.account.login = "octo-org";
  install.repositories = [
    { id: 501, name: "site", full_name: "octo-org/site", private: false },
    { id: 502, name: "api", full_name: "octo-org/api", private: false },
  ];
  expect(await post("installation", install, "e2e-install")).toBe(200);

  const command = examplePayload<Payload>("issue_comment", "created");
  command.installation = { id: INSTALLATION };
  command.repository = {
    ...command.repository,
    id: 501,
    name: "site",
    full_name: "octo-org/site",
    owner: { ...command.repository.owner, login: "octo-org" },
  };
  command.issue.number = 1;
  command.issue.html_url = "https://github.example/octo-org/site/issues/1";
  command.issue.labels = [{ name: "workspace-backfill" }];
  command.sender = { ...command.sender, login: "octocat", type: "User" };
  command.comment.id = 9001;
  command.comment.body = "/backfill 30";
  const started = Date.now();
  expect(await post("issue_comment", command, "e2e-command")).toBe(200);
  // The webhook is answered once the run is recorded; 👀 and the rest follow it.
  expect(Date.now() - started).toBeLessThan(10_000);
  await until("👀", () => github.reactionsOn(9001).includes("eyes"));

  const check = await until("the completed check run", () =>
    [...github.checkRuns.values()].find((c) => c.status === "completed"),
  );
  await until("🚀", () => github.reactionsOn(9001).includes("rocket"));
  expect(github.reactionsOn(9001)).toEqual(["eyes", "rocket"]);
  expect(check).toMatchObject({
    name: "Workspace backfill",
    conclusion: "success",
    head_sha: "6dcb09b5b57875f334f61aebed695e2e4193db5e",
  });
  expect(check.actions.map((a) => a.identifier)).toEqual(["backfill"]);

  const comments = github.commentsOn("octo-org", "site", 1);
  expect(comments).toHaveLength(1);
  const progress = comments[0]!;
  expect(progress.edits).toBeGreaterThanOrEqual(1);
  expect(progress.body).toContain("\n**2/2 (100%)** completed\n");
  expect(progress.body).toContain("| octo-org/site | completed |");
  expect(progress.body).toContain("| octo-org/api | completed |");
  expect(progress.body).toContain("### Results");
  expect(progress.body).toContain("xychart-beta");
  expect(datapipe.triggers().map((c) => [c.repository, c.days])).toEqual([
    ["octo-org/site", 30],
    ["octo-org/api", 30],
  ]);
  // A run of 2 repositories: at most ceil(2 / 1) + 4 writes to its comment and check run.
  const writes = github.requests.filter(
    (r) =>
      r.method !== "GET" &&
      (r.path.includes("/issues/comments/") ||
        r.path.endsWith("/comments") ||
        r.path.includes("/check-runs")) &&
      !r.path.endsWith("/reactions"),
  );
  expect(writes.length).toBeLessThanOrEqual(6);
  // Every call the server made is a route of GitHub's REST description.
  expect(github.requests.filter((r) => openApiTemplate(r.method, r.path) === null)).toEqual([]);
}, 120_000);
