import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { type Db, migrate, openDb } from "../src/db/index.js";
import { createMetricsHandler } from "../src/metrics/create-metrics-handler.js";
import { foldMetrics, reconcileMetricsMembers } from "../src/metrics/fold-metrics.js";
import { getWorkspaceMetrics } from "../src/metrics/get-workspace-metrics.js";
import { removeRepositories } from "../src/workspaces/workspace-store.js";

/**
 * Workspace metrics at scale (issues 4, 13): 50 repositories, events over 90 days made with
 * generate_series, inserted as gh-datapipe inserts them (nothing of ours runs in those
 * statements) and folded into the rollups the way the background round does. Loads 1M
 * events, copies that database and loads 4M more into the copy, then times the metrics
 * HTTP API of both side by side (in turns, timeSideBySide), so that the growth from 1M to
 * 5M is measured in the same seconds; against the seed's method (select both windows' rows —
 * their columns, no payloads — and count in JavaScript) on the same data in the same run;
 * the price of our machinery on inserts; and what a repository leaving and joining the
 * workspace costs at 5M.
 *
 * Actors as GitHub has them: a user stars (and forks) a repository once, so star and fork
 * actors are unique per repository, with stargazers shared between an org's repositories;
 * other events come from a small pool of contributors who repeat.
 *
 * Runs in databases of its own on DATABASE_URL's server (default the local Postgres),
 * created and dropped here. METRICS_BENCH_SIZES=200000,1000000 picks other sizes.
 */

const ADMIN_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const SIZES = (process.env.METRICS_BENCH_SIZES ?? "1000000,5000000").split(",").map(Number);
const REPOSITORIES = 50;
const RUNS = 100;
const THROUGHPUT_ROWS = 100_000;
/** Rows per load statement: a few big `insert … select … generate_series`. */
const CHUNK = 1_000_000;
const DAY = 86_400_000;
const TOKEN = "bench-token";

const line = (name: string, value: number | string, unit = "") =>
  console.log(
    `${name}: ${typeof value === "number" ? round(value) : value}${unit ? ` ${unit}` : ""}`,
  );
const round = (n: number) => (n >= 100 ? Math.round(n) : Math.round(n * 100) / 100);
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
/**
 * Untimed calls before the timed ones: a process answers its first few dozen requests up to
 * twice as slowly as the next (its code not compiled yet, its connections' caches cold), and
 * the figures are of a server that has been answering.
 */
const WARMUP = 20;

/** p50 and p90 of `runs` timed calls, after `warmup` untimed calls. */
async function timeRuns(runs: number, fn: () => Promise<unknown>, warmup = WARMUP) {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return { p50: percentile(times, 50), p90: percentile(times, 90) };
}
const since = (start: number) => performance.now() - start;

/**
 * Events g in [from, to): repository r = g % 50, k = g / 50 its k-th event, 70% stars,
 * 20% forks, 10% issues, spread over the 90 days before `now`; every third repository's
 * owner (prefix `$4`, `org-` for the workspace) is written upper-case on odd events, as
 * gh-datapipe may. Star and fork k is user k + 20,000·r: unique per repository,
 * repositories sharing users as they grow. Issue events come from 2,000 contributors.
 */
function eventsSql(table: string): string {
  return `insert into ${table}
      (event_id, event_type, actor_login, repository_owner, repository_name, payload, created_at)
    select 'e' || g,
           case when (g / 50) % 20 < 14 then 'WatchEvent' when (g / 50) % 20 < 18 then 'ForkEvent'
                else 'IssuesEvent' end,
           case when (g / 50) % 20 < 18 then 'user' || (g / 50 + 20000 * (g % 50))
                else 'contributor' || ((g % 50) * 37 + (g / 50) % 500) % 2000 end,
           case when (g % 50) % 3 = 0 and g % 2 = 1 then upper($4::text) || ((g % 50) % 5)
                else $4::text || ((g % 50) % 5) end,
           'repo-' || (g % 50),
           null,
           $3::timestamptz - ((g * 104729) % 7776000000) * interval '1 millisecond'
      from generate_series($1::bigint, $2::bigint - 1) as g`;
}

/** The seed's way: the columns of every row of both windows into JavaScript, counted there. */
async function seedMetrics(
  pool: pg.Pool,
  repos: { owner: string; name: string }[],
  now: Date,
  days: number,
) {
  const previousStart = new Date(now.getTime() - 2 * days * DAY);
  const currentStart = new Date(now.getTime() - days * DAY);
  const { rows } = await pool.query<{
    event_type: string;
    actor_login: string | null;
    created_at: Date;
  }>(
    `select e.event_type, e.actor_login, e.created_at
       from unnest($1::text[], $2::text[]) as r (owner, name)
       join github_events_cache e
         on e.repository_owner in (r.owner, upper(r.owner)) and e.repository_name = r.name
      where e.created_at >= $3::timestamptz and e.created_at < $4::timestamptz`,
    [repos.map((r) => r.owner), repos.map((r) => r.name), previousStart, now],
  );
  let stars = 0;
  let previousStars = 0;
  let forks = 0;
  let previousForks = 0;
  const actors = new Set<string>();
  for (const row of rows) {
    const current = row.created_at >= currentStart;
    if (row.event_type === "WatchEvent") current ? stars++ : previousStars++;
    else if (row.event_type === "ForkEvent") current ? forks++ : previousForks++;
    if (current && row.actor_login !== null) actors.add(row.actor_login.toLowerCase());
  }
  return { stars, previousStars, forks, previousForks, actors: actors.size, rows: rows.length };
}

/** Autovacuum's work on a live table: statistics, and the visibility map index-only scans need. */
const ROLLUPS = [
  "github_events_cache",
  "github_event_days",
  "github_event_hours",
  "github_event_repositories",
  "github_event_actors",
  "workspace_actor_last_seen",
  "workspace_actor_hours",
];

/** A database of the bench: the app's db, a plain pool for the seed's method, the API. */
interface BenchDb {
  name: string;
  db: Db;
  pool: pg.Pool;
  callApi: () => Promise<{ stars: { current: number }; activity: { uniqueActors: number } }>;
  close: () => Promise<void>;
}

// The final `drop database … with (force)` ends any idle connection left: not an error.
const ignore = () => {};

async function openBenchDb(name: string): Promise<BenchDb> {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = await openDb({
    databaseUrl: url.toString(),
    dataDir: "unused",
    max: 4,
    onError: ignore,
  });
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  pool.on("error", ignore);
  const handler = createMetricsHandler({ db, token: TOKEN, log: { error: ignore } as never });
  const server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/workspaces/1/metrics?days=30`;
  return {
    name,
    db,
    pool,
    callApi: async () => {
      const res = await fetch(api, { headers: { authorization: `Bearer ${TOKEN}` } });
      if (res.status !== 200) throw new Error(`metrics API answered ${res.status}`);
      return res.json() as Promise<{
        stars: { current: number };
        activity: { uniqueActors: number };
      }>;
    },
    close: async () => {
      server.close();
      await pool.end();
      await db.close();
    },
  };
}

/** Timed calls to one database in a row, within a turn of timeSideBySide. */
const TURN = 10;

/**
 * p50 and p90 of each database's calls, timed in turns: `TURN` calls to one, then to the
 * next, the order reversed every other round, after `WARMUP` untimed rounds. The sizes are
 * compared within the same seconds, whatever the machine's speed does meanwhile
 * (docs/scaling.md). The first call of a turn is not timed: a server answers one database,
 * and the call after another database's (its backend's caches cold again) costs up to a
 * millisecond more.
 */
async function timeSideBySide(fns: (() => Promise<unknown>)[], runs: number) {
  for (let i = 0; i < WARMUP; i++) for (const fn of fns) await fn();
  const times: number[][] = fns.map(() => []);
  for (let round = 0; round * TURN < runs; round++) {
    const order = fns.map((_, k) => (round % 2 === 0 ? k : fns.length - 1 - k));
    for (const k of order) {
      await fns[k]!();
      for (let i = 0; i < TURN; i++) {
        const start = performance.now();
        await fns[k]!();
        times[k]!.push(performance.now() - start);
      }
    }
  }
  return times.map((t) => ({ p50: percentile(t, 50), p90: percentile(t, 90) }));
}

async function main() {
  const base = `wbb_bench_metrics_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const created: string[] = [];
  const open: BenchDb[] = [];
  try {
    const first = `${base}_${0}`;
    await admin.query(`create database ${first}`);
    created.push(first);
    let bench = await openBenchDb(first);
    open.push(bench);
    let { db } = bench;
    await migrate(db);
    const now = new Date();
    await db.query(`insert into workspaces (installation_id, account_login) values (1, 'org')`);
    const repos = Array.from({ length: REPOSITORIES }, (_, i) => ({
      owner: `org-${i % 5}`,
      name: `repo-${i}`,
    }));
    await db.query(
      `insert into workspace_repositories (installation_id, repository_id, owner, name)
       select 1, 1000 + i, o, n from unnest($1::text[], $2::text[]) with ordinality as r (o, n, i)
        order by i`,
      [repos.map((r) => r.owner), repos.map((r) => r.name)],
    );
    await reconcileMetricsMembers(db);

    // Our price on gh-datapipe's inserts: the same rows into a bare table as the contract
    // has it (event_id unique, its (owner, name, created_at) index) and into
    // github_events_cache with our column, btree and triggers; both empty at first,
    // alternated three times, the median of each.
    await db.query(`create table events_bare (
        event_id text primary key, event_type text not null, actor_login text,
        repository_owner text not null, repository_name text not null, payload jsonb,
        created_at timestamptz not null)`);
    await db.query(`create index on events_bare (repository_owner, repository_name, created_at)`);
    const bare: number[] = [];
    const ours: number[] = [];
    for (let i = 0; i < 3; i++) {
      const range = [i * THROUGHPUT_ROWS, (i + 1) * THROUGHPUT_ROWS];
      let start = performance.now();
      await db.query(eventsSql("events_bare"), [...range, now.toISOString(), "org-"]);
      bare.push(THROUGHPUT_ROWS / (since(start) / 1000));
      start = performance.now();
      await db.query(eventsSql("github_events_cache"), [...range, now.toISOString(), "org-"]);
      ours.push(THROUGHPUT_ROWS / (since(start) / 1000));
    }
    line(
      "insert throughput, bare github_events_cache (100k-row statements, median of 3)",
      percentile(bare, 50),
      "rows/s",
    );
    line(
      "insert throughput, with the app's machinery (inserted_xid + btree; no insert trigger)",
      percentile(ours, 50),
      "rows/s",
    );
    line("insert cost, app's machinery / bare", percentile(bare, 50) / percentile(ours, 50), "x");
    let start = performance.now();
    const folded = await foldMetrics(db);
    line(`background fold of those ${folded} rows`, (folded / since(start)) * 1000, "rows/s");
    await db.query(`drop table events_bare`);
    await db.query(`truncate github_events_cache`);

    // One database per size, each a copy of the one before plus the events between: the
    // sizes' answers are then timed side by side, in the same minutes.
    const sized: BenchDb[] = [];
    let loaded = 0;
    for (const [i, size] of SIZES.entries()) {
      if (i > 0) {
        const name = `${base}_${i}`;
        await bench.close();
        open.splice(open.indexOf(bench), 1);
        start = performance.now();
        await admin.query(`create database ${name} template ${bench.name} strategy file_copy`);
        created.push(name);
        line(`copy of the ${loaded / 1e6}M database for the next size`, since(start) / 1000, "s");
        sized[i - 1] = await openBenchDb(bench.name);
        open.push(sized[i - 1]!);
        bench = await openBenchDb(name);
        open.push(bench);
        db = bench.db;
      }
      start = performance.now();
      for (let from = loaded; from < size; from += CHUNK) {
        const to = Math.min(size, from + CHUNK);
        await db.query(eventsSql("github_events_cache"), [from, to, now.toISOString(), "org-"]);
      }
      line(`load ${loaded} → ${size} events (gh-datapipe's inserts)`, since(start) / 1000, "s");
      start = performance.now();
      const n = await foldMetrics(db);
      line(`fold of ${n} events into the rollups (background)`, since(start) / 1000, "s");
      loaded = size;
      for (const table of ROLLUPS) await db.query(`vacuum analyze ${table}`);
      // The load and the fold leave gigabytes of dirty pages; without a checkpoint here the
      // answers below would be timed against the server writing them out. A role that may
      // not (neither superuser nor pg_checkpoint) measures with them.
      await db.query("checkpoint").catch((err: { code?: string }) => {
        if (err.code !== "42501") throw err;
      });
    }
    sized[SIZES.length - 1] = bench;
    const labels = SIZES.map((size) => `${size / 1e6}M events`);

    // The machine's speed around the answers' timing (it varies by the minute, see
    // docs/scaling.md): a fixed CPU-bound statement in the same server, p50 of 5.
    const gauge = async () =>
      (await timeRuns(5, () => db.query("select count(*) from generate_series(1, 2000000)"))).p50;
    line("machine gauge before the answers (2M-row series counted)", await gauge(), "ms");
    // Through HTTP, and without it (at the present instant, as the API answers: at the
    // load's own `now` an event falls on the window's end and the answer takes the slower
    // exact path for it), all in the same turns.
    const timed = await timeSideBySide(
      [...sized.map((b) => b.callApi), ...sized.map((b) => () => getWorkspaceMetrics(b.db, 1))],
      RUNS,
    );
    const viaApi = timed.slice(0, sized.length);
    const direct = timed.slice(sized.length);
    for (const [i, label] of labels.entries()) {
      line(`metrics API p50 at ${label} (HTTP, exact unique actors)`, viaApi[i]!.p50, "ms");
      line(`metrics API p90 at ${label}`, viaApi[i]!.p90, "ms");
      line(`getWorkspaceMetrics p50 at ${label} (no HTTP)`, direct[i]!.p50, "ms");
    }
    if (SIZES.length > 1) {
      line(
        `metrics API growth ${SIZES[0]! / 1e6}M → ${SIZES.at(-1)! / 1e6}M events (p50, timed side by side)`,
        viaApi.at(-1)!.p50 / viaApi[0]!.p50,
        "x",
      );
    }
    line("machine gauge after the answers", await gauge(), "ms");

    for (const [i, label] of labels.entries()) {
      const { db: sizeDb, pool } = sized[i]!;
      const ourAnswer = (await getWorkspaceMetrics(sizeDb, 1, { now }))!;
      const seedTimes: number[] = [];
      let seedAnswer: Awaited<ReturnType<typeof seedMetrics>> | undefined;
      for (let k = 0; k < (SIZES[i]! >= 5_000_000 ? 2 : 3); k++) {
        start = performance.now();
        seedAnswer = await seedMetrics(pool, repos, now, 30);
        seedTimes.push(since(start));
      }
      if (
        seedAnswer!.stars !== ourAnswer.stars.current ||
        seedAnswer!.previousStars !== ourAnswer.stars.previous ||
        seedAnswer!.forks !== ourAnswer.forks.current ||
        seedAnswer!.previousForks !== ourAnswer.forks.previous ||
        seedAnswer!.actors !== ourAnswer.activity.uniqueActors
      ) {
        throw new Error("the seed's count and ours disagree");
      }
      // With an even number of runs the lower middle is taken (in the seed's favour).
      const seedP50 = percentile(seedTimes, 50);
      line(
        `seed method (${seedAnswer!.rows} rows' columns into JS) p50 at ${label}`,
        seedP50,
        "ms",
      );
      line(`ratio seed method / metrics API at ${label}`, seedP50 / viaApi[i]!.p50, "x");
      line(`unique actors in the current window at ${label}`, ourAnswer.activity.uniqueActors, "");
    }
    const { pool, callApi } = bench;
    const label = `${loaded / 1e6}M events`;

    // A tail not folded yet: gh-datapipe's last 10k rows, read one by one at query time.
    await db.query(eventsSql("github_events_cache"), [
      loaded,
      loaded + 10_000,
      now.toISOString(),
      "org-",
    ]);
    const withTail = await timeRuns(10, callApi);
    line(`metrics API p50 at ${label} with 10k rows not folded yet`, withTail.p50, "ms");
    await foldMetrics(db);

    // Membership: the webhook's transaction only changes workspace_repositories; the actor
    // rollup follows in the background, and answers meanwhile count the exact slower way.
    start = performance.now();
    await db.transaction((tx) => removeRepositories(tx, 1, [1001]));
    line(
      `membership change at ${label}: a repository removed, webhook's transaction`,
      since(start),
      "ms",
    );
    const pending = await timeRuns(3, callApi, 1);
    line(
      `metrics API p50 at ${label} before the change is reconciled (exact fallback)`,
      pending.p50,
      "ms",
    );
    start = performance.now();
    await reconcileMetricsMembers(db);
    line(
      `membership change at ${label}: a repository removed, background reconcile`,
      since(start),
      "ms",
    );
    const remaining = repos.slice(1);
    const afterRemoval = (await getWorkspaceMetrics(db, 1, { now }))!;
    if (
      afterRemoval.activity.uniqueActors !== (await seedMetrics(pool, remaining, now, 30)).actors
    ) {
      throw new Error("unique actors after a removal and the seed's count disagree");
    }
    start = performance.now();
    await db.query(
      `insert into workspace_repositories (installation_id, repository_id, owner, name)
       values (1, 1001, $1::text, $2::text)`,
      [repos[0]!.owner, repos[0]!.name],
    );
    line(
      `membership change at ${label}: a repository added, webhook's transaction`,
      since(start),
      "ms",
    );
    start = performance.now();
    await reconcileMetricsMembers(db);
    line(
      `membership change at ${label}: a repository added, background reconcile`,
      since(start),
      "ms",
    );
    const after = await timeRuns(10, callApi);
    line(`metrics API p50 at ${label} after both changes`, after.p50, "ms");
    // At the bench's `now` (the API takes the present instant, minutes later).
    const again = (await getWorkspaceMetrics(db, 1, { now }))!;
    if (again.activity.uniqueActors !== (await seedMetrics(pool, repos, now, 30)).actors) {
      throw new Error("unique actors after membership changes and the seed's count disagree");
    }
  } finally {
    for (const b of open) await b.close();
    for (const name of created) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
