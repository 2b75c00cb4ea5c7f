/**
 * GitHub as a source: a 90-day back-fill of 100 repositories (BACKFILL_SOURCE=github)
 * against an instant in-process fake GitHub (two years of star history and ~60 forks a
 * repository; every answer at once). What remains is our own cost per repository: claim,
 * read the pages, replace the days and the coverage in one transaction, record the
 * outcome, finish, publish. Prints the requests and the bookkeeping milliseconds per
 * repository in one line.
 *
 * Runs against DATABASE_URL (or postgres://postgres@127.0.0.1:5432/postgres) in a database
 * it creates and drops.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createEngine, silentLog } from "../src/backfill/index.js";
import { type Db, migrate, openDb } from "../src/db/index.js";
import { createHistoryReader, type GitHubRequest } from "../src/history/index.js";
import { FakeGitHub } from "../test/fakes/fake-github.js";

const REPOS = 100;
const DAY_MS = 86_400_000;
const baseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** `octokit.request` over the fake, in process: route templates filled, errors thrown as Octokit's. */
function fakeRequest(fake: FakeGitHub): { request: GitHubRequest; count: () => number } {
  let requests = 0;
  const request: GitHubRequest = async (route, params) => {
    requests++;
    const [method, template] = route.split(" ") as [string, string];
    const used = new Set<string>();
    const path = template.replace(/\{(\w+)\}/g, (_, k: string) => {
      used.add(k);
      return encodeURIComponent(String(params[k]));
    });
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (!used.has(k) && k !== "headers" && k !== "request") query.set(k, String(v));
    }
    const answer = fake.handle(method, `${path}?${query}`, null);
    if (answer.status >= 400) {
      throw Object.assign(new Error(`${answer.status}`), {
        status: answer.status,
        response: { headers: answer.headers ?? {} },
      });
    }
    return { status: answer.status, headers: answer.headers ?? {}, data: answer.body };
  };
  return { request, count: () => requests };
}

async function withDatabase<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const name = `wbb_bench_github_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const db = await openDb({ databaseUrl: url.toString(), dataDir: "unused", max: 5 });
  try {
    await migrate(db);
    return await fn(db);
  } finally {
    await db.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

async function measure(db: Db, installationId: number, repos: number) {
  const fake = new FakeGitHub();
  const now = Date.now();
  for (let r = 1; r <= repos; r++) {
    const name = `repo-${r}`;
    fake.addRepo({ id: installationId * 100_000 + r, owner: "bench", name });
    const stars = new Map<string, number>();
    for (let i = 0; i < 730; i++) {
      const n = (i * 7 + r) % 6;
      if (n > 0) stars.set(new Date(now - i * DAY_MS).toISOString().slice(0, 10), n);
    }
    const forks = Array.from({ length: 60 }, (_, i) =>
      new Date(now - i * 12 * DAY_MS).toISOString(),
    );
    fake.history.setStars(`bench/${name}`, stars).addForks(`bench/${name}`, forks);
  }
  await db.query(
    "insert into workspaces (installation_id, account_login) values ($1::bigint, 'bench')",
    [installationId],
  );
  await db.query(
    `insert into workspace_repositories (installation_id, repository_id, owner, name)
     select $1::bigint, $1::bigint * 100000 + g, 'bench', 'repo-' || g from generate_series(1, $2::int) g`,
    [installationId, repos],
  );
  const { request, count } = fakeRequest(fake);
  const history = createHistoryReader({ db, requestFor: async () => request, maxWaitMs: 60_000 });
  const engine = createEngine({
    db,
    config: {
      GH_DATPIPE_API_URL: "http://127.0.0.1:9",
      GH_DATPIPE_KEY: undefined,
      BACKFILL_SOURCE: "github",
      BACKFILL_DELAY_MS: 0,
      BACKFILL_CONCURRENCY: 1,
      BACKFILL_POLL_INTERVAL_MS: 1,
      BACKFILL_JOB_TIMEOUT_MS: 60_000,
    },
    history,
    log: silentLog,
    tuning: { idleMs: 20 },
  });
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  engine.subscribe((event) => {
    if (event.type === "run.finished") done();
  });
  const started = performance.now();
  await engine.request({ installationId, days: 90, source: "cli", requestedBy: null });
  await engine.start();
  await finished;
  const total = performance.now() - started;
  await engine.stop();
  const { rows } = await db.query<{ completed: number }>(
    `select count(*)::int as completed from backfill_items i join backfill_runs r on r.id = i.run_id
      where r.installation_id = $1::bigint and i.github_status = 'completed'`,
    [installationId],
  );
  if (rows[0]!.completed < repos)
    throw new Error(`only ${rows[0]!.completed} repositories completed`);
  return { ms: total / repos, requests: count() / repos };
}

await withDatabase(async (db) => {
  await measure(db, 1, 20); // warm-up (JIT, connections, plans), not reported
  const r = await measure(db, 2, REPOS);
  console.log(
    `github source, 90-day back-fill, postgres, ${REPOS} repos: ${r.requests.toFixed(2)} requests and ${r.ms.toFixed(2)} ms bookkeeping per repo`,
  );
});
