import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrate, openDb } from "../src/db/index.js";
import { getWorkspaceMetrics } from "../src/metrics/get-workspace-metrics.js";

/**
 * Workspace metrics at scale (issue 4): 50 repositories, events over 90 days made with
 * generate_series, at 1M and at 5M events, against the seed's method (fetch the rows of
 * both windows, count them in JavaScript) on the same data in the same run.
 *
 * Runs in its own database on DATABASE_URL's server (default the local Postgres), created
 * and dropped here. METRICS_BENCH_SIZES=200000,1000000 picks other sizes.
 */

const ADMIN_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const SIZES = (process.env.METRICS_BENCH_SIZES ?? "1000000,5000000").split(",").map(Number);
const REPOSITORIES = 50;
const RUNS = 20;
const SEED_RUNS = 3;
const THROUGHPUT_ROWS = 300_000;
const DAY = 86_400_000;

const line = (name: string, value: number | string, unit = "") =>
  console.log(
    `${name}: ${typeof value === "number" ? round(value) : value}${unit ? ` ${unit}` : ""}`,
  );
const round = (n: number) => (n >= 100 ? Math.round(n) : Math.round(n * 100) / 100);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
async function timeRuns(runs: number, fn: () => Promise<unknown>, warmUp = true): Promise<number> {
  if (warmUp) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

/**
 * Events g in [from, to): repository g % 50, mostly stars and forks, spread over the 90
 * days before `now`; every third repository's owner is written upper-case on odd events,
 * as gh-datapipe may. Actors from a pool of 2M, so most events have their own.
 */
function eventsSql(table: string): string {
  return `insert into ${table}
      (event_id, event_type, actor_login, repository_owner, repository_name, payload, created_at)
    select 'e' || g,
           case when (g / 50) % 20 < 14 then 'WatchEvent' when (g / 50) % 20 < 18 then 'ForkEvent'
                else 'IssuesEvent' end,
           'user' || ((g * 7919) % 2000003),
           case when (g % 50) % 3 = 0 and g % 2 = 1 then 'ORG-' || ((g % 50) % 5)
                else 'org-' || ((g % 50) % 5) end,
           'repo-' || (g % 50),
           null,
           $3::timestamptz - ((g * 104729) % 7776000000) * interval '1 millisecond'
      from generate_series($1::bigint, $2::bigint - 1) as g`;
}

/** The seed's way: every row of both windows into JavaScript, counted there. */
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
    actor_login: string;
    repository_owner: string;
    repository_name: string;
    created_at: Date;
  }>(
    `select e.event_type, e.actor_login, e.repository_owner, e.repository_name, e.created_at
       from unnest($1::text[], $2::text[]) as r (owner_key, name_key)
       join github_events_cache e
         on lower(e.repository_owner) = r.owner_key and lower(e.repository_name) = r.name_key
      where e.created_at >= $3::timestamptz and e.created_at < $4::timestamptz
        and e.event_type in ('WatchEvent', 'ForkEvent')`,
    [repos.map((r) => r.owner), repos.map((r) => r.name), previousStart, now],
  );
  let stars = 0;
  let previousStars = 0;
  let forks = 0;
  let previousForks = 0;
  const actors = new Set<string>();
  const timeline = new Map<string, number>();
  for (const row of rows) {
    const current = row.created_at >= currentStart;
    if (row.event_type === "WatchEvent") current ? stars++ : previousStars++;
    else current ? forks++ : previousForks++;
    if (current) {
      actors.add(row.actor_login);
      const date = row.created_at.toISOString().slice(0, 10);
      timeline.set(date, (timeline.get(date) ?? 0) + 1);
    }
  }
  return { stars, previousStars, forks, previousForks, actors: actors.size, rows: rows.length };
}

async function main() {
  const name = `wbb_bench_metrics_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  // The final `drop database … with (force)` ends any idle connection left: not an error.
  const ignore = () => {};
  const db = await openDb({
    databaseUrl: url.toString(),
    dataDir: "unused",
    max: 4,
    onError: ignore,
  });
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  pool.on("error", ignore);
  try {
    await migrate(db);
    const now = new Date();
    const installationId = 1;
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

    // The trigger's price: the same rows into a copy of the table without it (same
    // indexes), then into the table itself, which is emptied again afterwards.
    await db.query(`create table events_no_trigger (like github_events_cache including all)`);
    let start = performance.now();
    await db.query(eventsSql("events_no_trigger"), [0, THROUGHPUT_ROWS, now.toISOString()]);
    const plain = THROUGHPUT_ROWS / ((performance.now() - start) / 1000);
    start = performance.now();
    await db.query(eventsSql("github_events_cache"), [0, THROUGHPUT_ROWS, now.toISOString()]);
    const triggered = THROUGHPUT_ROWS / ((performance.now() - start) / 1000);
    await db.query(`drop table events_no_trigger`);
    await db.query(`truncate github_events_cache`);
    line("insert throughput without rollup trigger", plain, "rows/s");
    line("insert throughput with rollup trigger", triggered, "rows/s");
    line("rollup trigger insert cost", ((plain - triggered) / plain) * 100, "%");

    let loaded = 0;
    const ours: Record<number, number> = {};
    for (const size of SIZES) {
      start = performance.now();
      await db.query(eventsSql("github_events_cache"), [loaded, size, now.toISOString()]);
      const seconds = (performance.now() - start) / 1000;
      loaded = size;
      line(`load ${size} events (insert … select generate_series, trigger on)`, seconds, "s");
      // Index-only scans need the visibility map that autovacuum keeps on a live table.
      await db.query(`vacuum analyze github_events_cache`);
      await db.query(`vacuum analyze github_event_days`);
      await db.query(`vacuum analyze github_event_hours`);

      const label = `${size / 1e6}M events`;
      const fast = await timeRuns(RUNS, () =>
        getWorkspaceMetrics(db, installationId, { now, uniqueActors: false }),
      );
      ours[size] = fast;
      line(`workspace metrics p50 at ${label}`, fast, "ms");
      const withActors = await timeRuns(Math.min(RUNS, 10), () =>
        getWorkspaceMetrics(db, installationId, { now }),
      );
      line(`workspace metrics with exact unique actors p50 at ${label}`, withActors, "ms");

      // The index-only alternative: both windows counted straight from the covering index.
      const indexOnly = await timeRuns(Math.min(RUNS, 5), () =>
        db.query(
          `select lower(repository_owner), lower(repository_name), event_type,
                  count(*) filter (where created_at >= $3::timestamptz)::int,
                  count(*) filter (where created_at < $3::timestamptz)::int
             from unnest($1::text[], $2::text[]) as r (o, n)
             join github_events_cache e
               on lower(e.repository_owner) = r.o and lower(e.repository_name) = r.n
            where e.created_at >= $4::timestamptz and e.created_at < $5::timestamptz
            group by 1, 2, 3`,
          [
            repos.map((r) => r.owner),
            repos.map((r) => r.name),
            new Date(now.getTime() - 30 * DAY).toISOString(),
            new Date(now.getTime() - 60 * DAY).toISOString(),
            now.toISOString(),
          ],
        ),
      );
      line(`index-only window counts p50 at ${label}`, indexOnly, "ms");

      const ourAnswer = await getWorkspaceMetrics(db, installationId, { now });
      const seedAnswer = await seedMetrics(pool, repos, now, 30);
      if (
        seedAnswer.stars !== ourAnswer!.stars.current ||
        seedAnswer.previousStars !== ourAnswer!.stars.previous ||
        seedAnswer.forks !== ourAnswer!.forks.current
      ) {
        throw new Error("the seed's count and ours disagree");
      }
      // The agreement check above warmed it up; each run moves millions of rows.
      const seed = await timeRuns(SEED_RUNS, () => seedMetrics(pool, repos, now, 30), false);
      line(`seed method (${seedAnswer.rows} rows into JS) p50 at ${label}`, seed, "ms");
      line(`speed-up over the seed method at ${label}`, seed / fast, "x");
    }
    if (SIZES.length > 1) {
      const first = SIZES[0]!;
      const last = SIZES.at(-1)!;
      line(
        `workspace metrics slowdown ${first / 1e6}M → ${last / 1e6}M events`,
        ours[last]! / ours[first]!,
        "x",
      );
    }
  } finally {
    await pool.end();
    await db.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
