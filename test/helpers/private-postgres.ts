import { execFile } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

/**
 * A throwaway PostgreSQL 15 of the test's own, in a temp directory on a free port, with
 * trust auth. Fault tests restart or stop it; the shared cluster on 5432 serves other test
 * files in parallel and must never be touched that way.
 */

const BIN = "/usr/lib/postgresql/15/bin";
const run = promisify(execFile);

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  url: string;
  port: number;
  /** `pg_ctl restart -m fast`: every connection is dropped, the server is back when it resolves. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Stops the server and removes its directory. */
  destroy(): Promise<void>;
}

/** Whether this machine has the PostgreSQL 15 server binaries. */
export async function havePostgres15(): Promise<boolean> {
  try {
    await run(`${BIN}/pg_ctl`, ["--version"]);
    return true;
  } catch {
    return false;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

/** initdb refuses to run as root: then every server command runs as the `postgres` user. */
function asServerUser(file: string, args: string[]) {
  if (process.getuid?.() !== 0) return run(file, args);
  return run("runuser", ["-u", "postgres", "--", file, ...args]);
}

function ownerIds(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (!line) throw new Error("running as root and there is no postgres user for initdb");
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), "wbb-pg-"));
  const data = join(dir, "data");
  const owner = ownerIds();
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
  }
  await asServerUser(`${BIN}/initdb`, [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=trust",
    "--no-sync",
    "-E",
    "UTF8",
  ]);
  const port = await freePort();
  // Small and quick: no fsync (a throwaway), the socket in the temp dir, TCP on loopback only.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=50`;
  const ctl = (...args: string[]) =>
    asServerUser(`${BIN}/pg_ctl`, ["-D", data, "-l", join(dir, "log"), "-w", "-t", "30", ...args]);
  await ctl("-o", options, "start");
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await ctl("-m", "immediate", "stop").catch(() => {});
  };
  return {
    url,
    port,
    async restart() {
      await ctl("-m", "fast", "-o", options, "restart");
    },
    stop,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A new database on the given server, for one app under test. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
