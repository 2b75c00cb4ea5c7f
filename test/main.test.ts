import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { testPrivateKey } from "./helpers/probot.js";

const root = join(import.meta.dirname, "..");
// tsx's loader by path: the app runs with its working directory elsewhere.
const tsx = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(),
      );
    });
  });
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `src/main.ts` as `npm start` runs it (compiled there, through tsx here), in its own group. */
function startApp(env: Record<string, string>, cwd: string): Started {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  const child = spawn(process.execPath, ["--import", tsx, join(root, "src/main.ts")], {
    cwd,
    env: { ...base, NODE_ENV: "production", LOG_LEVEL: "info", ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

describe("npm start", () => {
  const started: Started[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const s of started.splice(0)) {
      try {
        process.kill(-s.child.pid!, "SIGKILL");
      } catch {}
    }
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "wbb-start-"));
    dirs.push(dir);
    return dir;
  };

  it("migrates the embedded database and answers HTTP on PORT", { timeout: 90_000 }, async () => {
    const dir = tempDir();
    const port = await freePort();
    const app = startApp(
      {
        APP_ID: "1",
        PRIVATE_KEY: testPrivateKey(),
        WEBHOOK_SECRET: "secret",
        PORT: String(port),
        HOST: "127.0.0.1",
        DATA_DIR: join(dir, "data"),
      },
      dir,
    );
    started.push(app);
    let status = 0;
    // Start-up compiles TypeScript and creates the embedded database: allow for a busy machine.
    const deadline = Date.now() + 60_000;
    while (status === 0 && Date.now() < deadline) {
      try {
        status = (await fetch(`http://127.0.0.1:${port}/ping`)).status;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(status, app.output()).toBe(200);
    // An unsigned webhook is refused before any work.
    const res = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "issues",
        "x-github-delivery": "x",
      },
      body: "{}",
    });
    expect(res.status).toBe(400);
    expect(app.output()).not.toContain("BEGIN PRIVATE KEY");
  });

  it("stops with one line naming a bad variable", async () => {
    const dir = tempDir();
    const app = startApp(
      {
        APP_ID: "1",
        PRIVATE_KEY: testPrivateKey(),
        WEBHOOK_SECRET: "s",
        BACKFILL_DELAY_MS: "abc",
        DATA_DIR: join(dir, "d"),
      },
      dir,
    );
    started.push(app);
    expect(await app.exited).toBe(1);
    expect(app.output().trim()).toBe(
      "Invalid BACKFILL_DELAY_MS: expected a whole number, at least 0",
    );
  });
});
