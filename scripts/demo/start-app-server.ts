import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { waitFor } from "./wait-for.js";

export interface AppServer {
  url: string;
  /** What the server printed, for a failure report. */
  log(): string;
  /** Whether it exited, and how. */
  exited(): { code: number | null; signal: string | null } | null;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

/**
 * Starts the app exactly as `npm start` does after its build (`node dist/src/main.js`),
 * in its own process group and with `cwd` in the demo's temporary directory, so a stray
 * `.env` or `*.pem` in the repository cannot change it. The simulated gh-datapipe is
 * preloaded into it (see datapipe-preload.mjs).
 */
export async function startAppServer(options: {
  root: string;
  workDir: string;
  env: Record<string, string>;
  deadline: number;
}): Promise<AppServer> {
  const logFile = join(options.workDir, "server.log");
  const out = openSync(logFile, "a");
  const preload = pathToFileURL(join(options.root, "scripts/demo/datapipe-preload.mjs")).href;
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", preload, join(options.root, "dist/src/main.js")],
    { cwd: options.workDir, env: options.env, detached: true, stdio: ["ignore", out, out] },
  );
  closeSync(out);
  let exit: { code: number | null; signal: string | null } | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      resolve();
    });
  });
  const server: AppServer = {
    url: `http://${options.env.HOST}:${options.env.PORT}`,
    log: () => {
      try {
        return readFileSync(logFile, "utf8");
      } catch {
        return "";
      }
    },
    exited: () => exit,
    async stop() {
      if (exit || child.pid === undefined) return;
      // The whole group: the server and anything it started.
      const kill = (signal: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, signal);
        } catch {}
      };
      kill("SIGTERM");
      const timer = setTimeout(() => kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitFor(
      "the app server to answer /ping",
      async () => {
        if (exit) {
          throw new Error(`the app server exited (${exit.code ?? exit.signal}) while starting`);
        }
        try {
          const res = await fetch(`${server.url}/ping`, { signal: AbortSignal.timeout(1_000) });
          return res.ok;
        } catch {
          return false;
        }
      },
      { deadline: options.deadline, intervalMs: 100 },
    );
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}
