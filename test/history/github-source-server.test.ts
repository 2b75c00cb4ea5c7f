import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { FakeGitHub } from "../fakes/fake-github.js";
import type { Db } from "../../src/db/index.js";
import { createTestDb, databaseUrlOf } from "../helpers/db.js";
import { waitFor } from "../helpers/wait-for.js";
import { examplePayload, testPrivateKey } from "../helpers/probot.js";
import { openApiTemplate } from "../github/openapi-routes.js";
import { countByDay, daysAgo, forkTimes, since, starDays, total } from "./history-fixtures.js";

// biome-ignore lint/suspicious/noExplicitAny: tests patch arbitrary fields of GitHub's example payloads
type Payload = Record<string, any>;

/**
 * The real server, started as `npm start` starts it, with no gh-datapipe key and no
 * BACKFILL_SOURCE (the new user's install), against the fake GitHub on loopback serving
 * star history and forks. Probot's throttling and retry plugins stay on, as in production,
 * so a primary rate limit is waited out by the plugin once, not again by the reader.
 */

const require = createRequire(import.meta.url);
const SECRET = "e2e-secret";
const INSTALLATION = 4343;
let github: FakeGitHub;
let server: ChildProcess | undefined;
let port = 0;
let dataDir = "";
let output = "";
const now = Date.now();
const siteStars = starDays(500, 6, 11, now);
const siteForks = forkTimes(30, 500, now);
const apiStars = starDays(60, 3, 4, now);
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
  github.history.setStars("octo-org/site", siteStars).addForks("octo-org/site", siteForks);
  github.history.setStars("octo-org/api", apiStars);
  // The first star-history page hits a primary rate limit that resets in 2 s.
  github.history.script("stars", {
    status: 403,
    body: { message: "API rate limit exceeded for installation ID 4343." },
    headers: {
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 2),
    },
  });
  // The first fork page hits a secondary limit: Probot only logs those, the reader waits.
  github.history.script("forks", {
    status: 403,
    body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes." },
    headers: { "retry-after": "1" },
  });
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
    BACKFILL_PROGRESS_EVERY: "1",
    // Long enough that five webhooks posted one after another land in one burst on a busy machine.
    GITHUB_REFRESH_DEBOUNCE_MS: "2000",
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
    try {
      process.kill(-server.pid, "SIGTERM");
    } catch {}
    // Its exit, or SIGKILL after 5 s.
    if (server.exitCode === null && server.signalCode === null)
      await Promise.race([once(server, "exit"), delay(5_000)]);
    try {
      process.kill(-server.pid, "SIGKILL");
    } catch {}
  }
  await github?.close();
  await db?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it("no key: the install back-fills from GitHub, rows `N stars, M forks`; star webhooks refresh once", async () => {
  const endUp = Date.now() + 60_000;
  for (;;) {
    try {
      const status = await post("ping", { zen: "hi", hook_id: 1 }, "ping-1");
      if (status < 500) break;
    } catch {}
    if (Date.now() > endUp) throw new Error(`server did not start\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }

  const install = examplePayload<Payload>("installation", "created");
  install.installation.id = INSTALLATION;
  install.installation.account.login = "octo-org";
  install.repositories = [
    { id: 501, name: "site", full_name: "octo-org/site", private: false },
    { id: 502, name: "api", full_name: "octo-org/api", private: false },
  ];
  expect(await post("installation", install, "gh-install")).toBe(200);
  const check = await waitFor(
    "the completed check run",
    () => [...github.checkRuns.values()].find((c) => c.status === "completed"),
    60_000,
  );
  expect(check.conclusion).toBe("success");
  const window = daysAgo(89, now);
  const progress = await waitFor(
    "the results",
    () => [...github.comments.values()].find((c) => c.body.includes("### Results")),
    60_000,
  );
  expect(progress.body).toContain(
    `| octo-org/site | completed | ${total(since(siteStars, window))} stars, ${total(since(countByDay(siteForks), window))} forks |  |`,
  );
  expect(progress.body).toContain(
    `| octo-org/api | completed | ${total(since(apiStars, window))} stars, 0 forks |  |`,
  );
  // The primary 403 was waited out by Probot's throttling plugin and the secondary one by
  // the reader, each once: one retry apiece, nothing doubled.
  expect(github.history.starRequests.get("octo-org/site")).toBe(2);
  expect(github.history.forkRequests.get("octo-org/site")).toBe(2);
  expect(github.history.starRequests.get("octo-org/api")).toBe(1);

  const created = () =>
    github.requests.filter(
      (r) => r.method === "POST" && /\/(comments|check-runs|reactions)$/.test(r.path),
    ).length;
  const createdBefore = created();
  for (let i = 0; i < 5; i++) {
    const star = examplePayload<Payload>("star", "created");
    star.installation = { id: INSTALLATION, node_id: "x" };
    star.repository.name = "site";
    star.repository.full_name = "octo-org/site";
    star.repository.owner.login = "octo-org";
    expect(await post("star", star, `gh-star-${i}`)).toBe(200);
  }
  await waitFor(
    "the refresh of octo-org/site",
    () => (github.history.forkRequests.get("octo-org/site") === 3 ? true : null),
    60_000,
  );
  // A fork of the other repository afterwards: once it is read, site's burst is long over.
  const fork = examplePayload<Payload>("fork");
  fork.installation = { id: INSTALLATION, node_id: "x" };
  fork.repository.name = "api";
  fork.repository.full_name = "octo-org/api";
  fork.repository.owner.login = "octo-org";
  expect(await post("fork", fork, "gh-fork-1")).toBe(200);
  await waitFor(
    "the refresh of octo-org/api",
    () => (github.history.forkRequests.get("octo-org/api") === 2 ? true : null),
    60_000,
  );
  expect(github.history.starRequests.get("octo-org/site")).toBe(3);
  expect(github.history.forkRequests.get("octo-org/site")).toBe(3);
  // No comment, no check run, no run (a run would post its progress comment).
  expect(created()).toBe(createdBefore);
  expect(github.requests.filter((r) => openApiTemplate(r.method, r.path) === null)).toEqual([]);
}, 120_000);
