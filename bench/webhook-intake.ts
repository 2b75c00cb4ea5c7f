import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";
import pg from "pg";
import { openDb } from "../src/db/index.js";
import {
  commentPayload,
  FaultyGitHub,
  SECRETS,
  seedWorkspace,
  sendWebhook,
  signBody,
} from "../test/faults/app-harness.js";
import { freePort } from "../test/helpers/private-postgres.js";
import { testPrivateKey } from "../test/helpers/probot.js";

/**
 * Webhook intake: signed `issue_comment` deliveries against the running app (`src/main.ts`,
 * real server and Postgres, GitHub's fake on loopback), next to a bare Probot app with a
 * no-op handler, both as child processes on this machine in the same run.
 *
 * The load is a plain (non-command) comment on the tracking issue. That is most of what the
 * app receives — GitHub sends every comment of every installed repository — and it goes
 * through our whole intake: signature check, payload validation (zod), the labelled-issue
 * and command checks. A `/backfill status` command is measured apart, one at a time: its
 * answer waits for the collaborator-permission read (a GitHub read) and the database, never
 * for a GitHub write (👀 and the reply go out in the background, where Probot's throttling
 * spaces one installation's writes ~1 s).
 */

const root = join(import.meta.dirname, "..");
const tsx = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 10;

function start(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      APP_ID: "123",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: SECRETS.WEBHOOK_SECRET,
      HOST: "127.0.0.1",
      ...env,
    },
    detached: true,
    stdio: ["ignore", "ignore", "inherit"],
  });
}

async function ready(url: string) {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/ping`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not start`);
}

async function load(url: string, body: string, signature: string) {
  const headers = {
    "content-type": "application/json",
    "x-github-event": "issue_comment",
    "x-github-delivery": "bench",
    "x-hub-signature-256": signature,
  };
  // Warm-up: JIT, connection pools.
  await autocannon({ url, method: "POST", headers, body, connections: CONNECTIONS, duration: 2 });
  const result = await autocannon({
    url,
    method: "POST",
    headers,
    body,
    connections: CONNECTIONS,
    duration: DURATION_S,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return result;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

async function main() {
  const baseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `wbb_bench_intake_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const dbUrl = new URL(baseUrl);
  dbUrl.pathname = `/${name}`;

  const github = new FaultyGitHub();
  const host = await github.listen();
  const [oursPort, barePort] = await Promise.all([freePort(), freePort()]);
  const children: ChildProcess[] = [];
  try {
    children.push(
      start(["--import", tsx, join(root, "src/main.ts")], {
        PORT: String(oursPort),
        DATABASE_URL: dbUrl.toString(),
        GHE_HOST: host,
        GHE_PROTOCOL: "http",
        GH_DATPIPE_KEY: SECRETS.GH_DATPIPE_KEY,
        GH_DATPIPE_API_URL: "http://127.0.0.1:9",
        AUTO_BACKFILL_ON_INSTALL: "false",
      }),
      start(
        [
          "--input-type=module",
          "-e",
          'import { run } from "probot"; await run((app) => { app.on("issue_comment", async () => {}); });',
        ],
        { PORT: String(barePort), GHE_HOST: host, GHE_PROTOCOL: "http" },
      ),
    );
    const ours = `http://127.0.0.1:${oursPort}`;
    const bare = `http://127.0.0.1:${barePort}`;
    await Promise.all([ready(ours), ready(bare)]);

    const db = await openDb({ databaseUrl: dbUrl.toString(), dataDir: "unused", max: 2 });
    await seedWorkspace(db, github, ["alpha", "beta", "gamma"]);

    const body = JSON.stringify(commentPayload("Thanks, looks good to me."));
    const signature = await signBody(body);
    const bareResult = await load(`${bare}/api/github/webhooks`, body, signature);
    const oursResult = await load(`${ours}/api/github/webhooks`, body, signature);
    const githubCalls = github.requests.length;

    // Commands, one at a time: the answer includes the permission read, not the writes.
    const acks: number[] = [];
    for (let i = 0; i < 8; i++) {
      const t = performance.now();
      const status = await sendWebhook(
        `${ours}/api/github/webhooks`,
        "issue_comment",
        commentPayload("/backfill status"),
      );
      acks.push(performance.now() - t);
      if (status !== 200) throw new Error(`/backfill status answered ${status}`);
    }
    acks.sort((a, b) => a - b);
    await db.close();

    const ratio = oursResult.requests.average / bareResult.requests.average;
    console.log(
      `webhook intake bare probot throughput: ${bareResult.requests.average.toFixed(0)} req/s`,
    );
    console.log(`webhook intake throughput: ${oursResult.requests.average.toFixed(0)} req/s`);
    console.log(`webhook intake throughput ratio: ${ratio.toFixed(2)} (goal >= 0.8)`);
    console.log(`webhook intake ack latency p50: ${oursResult.latency.p50} ms`);
    console.log(`webhook intake ack latency p99: ${oursResult.latency.p99} ms (goal < 50)`);
    console.log(`webhook intake bare probot latency p99: ${bareResult.latency.p99} ms`);
    console.log(`webhook intake github calls during load: ${githubCalls} calls`);
    console.log(`webhook intake /backfill status ack p50: ${quantile(acks, 0.5).toFixed(0)} ms`);
    console.log(`webhook intake /backfill status ack max: ${acks.at(-1)!.toFixed(0)} ms`);
  } finally {
    for (const child of children) {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {}
    }
    await github.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
