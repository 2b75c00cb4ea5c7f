/**
 * Bookkeeping per repository of a back-fill run: a run of N repositories against an
 * instant fake gh-datapipe (every job completes on its first status read), pause 0, poll
 * interval 1 ms, one job at a time, a progress listener subscribed. What remains is the
 * engine's own cost: claim, trigger, record the job, poll, count events, finish, publish.
 * Goal: under 10 ms per repository, growing linearly (compare 100 with 1,000).
 *
 * Runs against DATABASE_URL (or postgres://postgres@127.0.0.1:5432/postgres) in a database
 * it creates and drops; BENCH_EMBEDDED=1 measures the embedded database too.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createEngine, silentLog } from "../src/backfill/index.js";
import { type Db, migrate, openDb } from "../src/db/index.js";
import { startFakeDatapipe } from "../test/fakes/fake-datapipe.js";

const baseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function withDatabase<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const name = `wbb_bench_engine_${randomBytes(4).toString("hex")}`;
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

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Counts the statements the engine sends, to show the cost per repository is constant. */
function counting(db: Db): Db & { statements: number } {
  const counted = Object.create(db) as Db & { statements: number };
  counted.statements = 0;
  counted.query = (text, params) => {
    counted.statements++;
    return db.query(text, params);
  };
  return counted;
}

async function measure(plainDb: Db, installationId: number, repos: number) {
  const db = counting(plainDb);
  const fake = await startFakeDatapipe({ apiKey: "bench", instant: true });
  await db.query(
    "insert into workspaces (installation_id, account_login) values ($1::bigint, 'bench')",
    [installationId],
  );
  await db.query(
    `insert into workspace_repositories (installation_id, repository_id, owner, name)
     select $1::bigint, $1::bigint * 100000 + g, 'bench', 'repo-' || g from generate_series(1, $2::int) g`,
    [installationId, repos],
  );
  const engine = createEngine({
    db,
    config: {
      GH_DATPIPE_API_URL: fake.url,
      GH_DATPIPE_KEY: "bench",
      BACKFILL_DELAY_MS: 0,
      BACKFILL_CONCURRENCY: 1,
      BACKFILL_POLL_INTERVAL_MS: 1,
      BACKFILL_JOB_TIMEOUT_MS: 60_000,
    },
    log: silentLog,
    tuning: { idleMs: 20 },
  });
  const finishedAt: number[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  engine.subscribe((event) => {
    if (event.type === "item.changed" && event.item.status === "completed")
      finishedAt.push(performance.now());
    if (event.type === "run.finished") done();
  });
  const started = performance.now();
  const before = db.statements;
  await engine.request({ installationId, days: 90, source: "cli", requestedBy: null });
  await engine.start();
  await finished;
  const total = performance.now() - started;
  const statements = (db.statements - before) / repos;
  await engine.stop();
  await fake.close();
  const gaps = finishedAt.map((t, i) => t - (i === 0 ? started : finishedAt[i - 1]!));
  return { median: median(gaps), average: total / repos, total, statements };
}

async function report(label: string, db: Db, idBase: number) {
  // Warm-up (JIT, connections, plans), not reported.
  await measure(db, idBase + 100, 50);
  for (const [i, repos] of [100, 1000].entries()) {
    const r = await measure(db, idBase + i, repos);
    console.log(
      `engine bookkeeping per repo, ${label}, ${repos} repos, median: ${r.median.toFixed(2)} ms`,
    );
    console.log(
      `engine bookkeeping per repo, ${label}, ${repos} repos, average: ${r.average.toFixed(2)} ms`,
    );
    console.log(
      `engine statements per repo, ${label}, ${repos} repos: ${r.statements.toFixed(2)} statements`,
    );
  }
}

await withDatabase((db) => report("postgres", db, 1));
if (process.env.BENCH_EMBEDDED === "1") {
  const db = await openDb({ dataDir: "memory://" });
  await migrate(db);
  await report("embedded", db, 10);
  await db.close();
}
