import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrate, openDb } from "../src/db/index.js";
import { getWorkspaceMetrics } from "../src/metrics/get-workspace-metrics.js";

/**
 * Workspace metrics at scale (issue 4): 50 repositories, events over 90 days made with
 * generate_series. Loads 1M events, measures, inserts 4M more into the same table (the
 * triggers keep the rollups current as they would for gh-datapipe) and measures again:
 * ours against the seed's method (fetch the rows of both windows, count them in
 * JavaScript) on the same data in the same run.
 *
 * Actors as GitHub has them: a user stars (and forks) a repository once, so star and fork
 * actors are unique per repository, with stargazers shared between an org's repositories;
 * other events come from a small pool of contributors who repeat.
 *
 * Runs in its own database on DATABASE_URL's server (default the local Postgres), created
 * and dropped here. METRICS_BENCH_SIZES=200000,1000000 picks other sizes.
 */

const ADMIN_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const SIZES = (process.env.METRICS_BENCH_SIZES ?? "1000000,5000000").split(",").map(Number);
const REPOSITORIES = 50;
const RUNS = 20;
const SEED_RUNS = 3;
const THROUGHPUT_ROWS = 100_000;
/** Rows per load statement: a few big `insert … select … generate_series`. */
const CHUNK = 1_000_000;
const DAY = 86_400_000;

const line = (name: string, value: number | string, unit = "") =>
  console.log(
    `${name}: ${typeof value === "number" ? round(value) : value}${unit ? ` ${unit}` : ""}`,
  );
const round = (n: number) => (n >= 100 ? Math.round(n) : Math.round(n * 100) / 100);
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
/** p50 and p90 of `runs` timed calls (after one untimed call unless `warmUp` is false). */
async function timeRuns(
  runs: number,
  fn: () => Promise<unknown>,
  warmUp = true,
): Promise<{ p50: number; p90: number }> {
  if (warmUp) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return { p50: percentile(times, 50), p90: percentile(times, 90) };
}

/**
 * Events g in [from, to): repository r = g % 50, k = g / 50 its k-th event, 70% stars,
 * 20% forks, 10% issues, spread over the 90 days before `now`; every third repository's
 * owner (prefix `$4`, `org-` for the workspace) is written upper-case on odd events, as
 * gh-datapipe may. Star and fork k is user k + 20,000·r: unique per repository,
 * repositories sharing users as they grow (at 5M events each user stars ~3.5 of them). Issue events come from 2,000 contributors.
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
    actor_login: string | null;
    repository_owner: string;
    repository_name: string;
    created_at: Date;
  }>(
    `select e.event_type, e.actor_login, e.repository_owner, e.repository_name, e.created_at
       from unnest($1::text[], $2::text[]) as r (owner_key, name_key)
       join github_events_cache e
         on lower(e.repository_owner) = r.owner_key and lower(e.repository_name) = r.name_key
      where e.created_at >= $3::timestamptz and e.created_at < $4::timestamptz`,
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
    else if (row.event_type === "ForkEvent") current ? forks++ : previousForks++;
    if (current) {
      if (row.actor_login !== null) actors.add(row.actor_login.toLowerCase());
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

    // The triggers' price: the same rows into a copy of the table without them (same
    // indexes), then into the table itself, which is emptied again afterwards.
    await db.query(`create table events_no_trigger (like github_events_cache including all)`);
    let start = performance.now();
    await db.query(eventsSql("events_no_trigger"), [0, THROUGHPUT_ROWS, now.toISOString(), "org-"]);
    const plain = THROUGHPUT_ROWS / ((performance.now() - start) / 1000);
    start = performance.now();
    await db.query(eventsSql("github_events_cache"), [
      0,
      THROUGHPUT_ROWS,
      now.toISOString(),
      "org-",
    ]);
    const triggered = THROUGHPUT_ROWS / ((performance.now() - start) / 1000);
    // Repositories in no workspace: the workspace actor rollup finds nothing to do.
    start = performance.now();
    await db.query(eventsSql("github_events_cache"), [
      THROUGHPUT_ROWS,
      2 * THROUGHPUT_ROWS,
      now.toISOString(),
      "loner-",
    ]);
    const outside = THROUGHPUT_ROWS / ((performance.now() - start) / 1000);
    await db.query(`drop table events_no_trigger`);
    await db.query(`truncate github_events_cache`);
    line("insert throughput without rollup triggers (100k rows)", plain, "rows/s");
    line("insert throughput with rollup triggers (100k rows)", triggered, "rows/s");
    line(
      "insert throughput with rollup triggers, repositories in no workspace (100k rows)",
      outside,
      "rows/s",
    );

    let loaded = 0;
    const ours: Record<number, number> = {};
    for (const size of SIZES) {
      // Loaded on top of what is there: the triggers keep the rollups as they go.
      start = performance.now();
      for (let from = loaded; from < size; from += CHUNK) {
        const to = Math.min(size, from + CHUNK);
        await db.query(eventsSql("github_events_cache"), [from, to, now.toISOString(), "org-"]);
      }
      const seconds = (performance.now() - start) / 1000;
      line(`load ${loaded} → ${size} events with rollup triggers`, seconds, "s");
      line(
        `insert throughput with rollup triggers (${size - loaded} rows)`,
        (size - loaded) / seconds,
        "rows/s",
      );
      loaded = size;
      // What autovacuum does on a live table: statistics, and the visibility map that
      // index-only scans need.
      start = performance.now();
      for (const table of [
        "github_events_cache",
        "github_event_days",
        "github_event_repositories",
        "github_event_actors",
        "workspace_actor_last_seen",
        "workspace_actor_hours",
      ]) {
        await db.query(`vacuum analyze ${table}`);
      }
      line(`vacuum analyze after loading ${size} events`, (performance.now() - start) / 1000, "s");

      const label = `${size / 1e6}M events`;
      const fast = await timeRuns(RUNS, () =>
        getWorkspaceMetrics(db, installationId, { now, uniqueActors: false }),
      );
      ours[size] = fast.p50;
      line(`workspace metrics without unique actors p50 at ${label}`, fast.p50, "ms");
      line(`workspace metrics without unique actors p90 at ${label}`, fast.p90, "ms");
      const full = await timeRuns(RUNS, () => getWorkspaceMetrics(db, installationId, { now }));
      line(`workspace metrics (API answer, exact unique actors) p50 at ${label}`, full.p50, "ms");
      line(`workspace metrics (API answer, exact unique actors) p90 at ${label}`, full.p90, "ms");
      // A window ending an hour before the newest events: every repository has events after
      // its end, and each actor last seen after it is looked up one by one.
      const earlier = new Date(now.getTime() - 3_600_000);
      const scan = await timeRuns(3, () =>
        getWorkspaceMetrics(db, installationId, { now: earlier }),
      );
      line(
        `workspace metrics, window ending 1 h before the newest events, p50 at ${label}`,
        scan.p50,
        "ms",
      );

      const ourAnswer = (await getWorkspaceMetrics(db, installationId, { now }))!;
      const scanAnswer = (await getWorkspaceMetrics(db, installationId, { now: earlier }))!;
      const seedTimes: number[] = [];
      start = performance.now();
      const seedAnswer = await seedMetrics(pool, repos, now, 30);
      seedTimes.push(performance.now() - start);
      if (
        seedAnswer.stars !== ourAnswer.stars.current ||
        seedAnswer.previousStars !== ourAnswer.stars.previous ||
        seedAnswer.forks !== ourAnswer.forks.current ||
        seedAnswer.previousForks !== ourAnswer.forks.previous ||
        seedAnswer.actors !== ourAnswer.activity.uniqueActors
      ) {
        throw new Error("the seed's count and ours disagree");
      }
      const earlierSeed = await seedMetrics(pool, repos, earlier, 30);
      if (earlierSeed.actors !== scanAnswer.activity.uniqueActors) {
        throw new Error("the seed's unique actors and ours an hour earlier disagree");
      }
      line(`unique actors in the current window at ${label}`, ourAnswer.activity.uniqueActors!, "");
      // Each run moves millions of rows into JavaScript; the agreement check counts as one.
      // With an even number of runs the lower middle is taken (in the seed's favour).
      for (let i = 1; i < (size >= 5_000_000 ? 2 : SEED_RUNS); i++) {
        start = performance.now();
        await seedMetrics(pool, repos, now, 30);
        seedTimes.push(performance.now() - start);
      }
      const seedP50 = percentile(seedTimes, 50);
      line(`seed method (${seedAnswer.rows} rows into JS) p50 at ${label}`, seedP50, "ms");
      line(`speed-up over the seed method at ${label} (API answer)`, seedP50 / full.p50, "x");
      line(
        `speed-up over the seed method at ${label} (without unique actors)`,
        seedP50 / fast.p50,
        "x",
      );
    }
    // Membership changes: a repository removed rebuilds the workspace's actor rollup from
    // the per-repository one; added again, its actors are merged in.
    start = performance.now();
    await db.query(
      `delete from workspace_repositories where installation_id = 1 and repository_id = 1001`,
    );
    line("workspace actor rollup rebuild (a repository removed)", performance.now() - start, "ms");
    start = performance.now();
    await db.query(
      `insert into workspace_repositories (installation_id, repository_id, owner, name)
       values (1, 1001, $1::text, $2::text)`,
      [repos[0]!.owner, repos[0]!.name],
    );
    line("workspace actor rollup merge (a repository added)", performance.now() - start, "ms");
    const again = (await getWorkspaceMetrics(db, installationId, { now }))!;
    if (again.activity.uniqueActors !== (await seedMetrics(pool, repos, now, 30)).actors) {
      throw new Error("the actor rollup after a membership change and the seed's count disagree");
    }
    if (SIZES.length > 1) {
      const first = SIZES[0]!;
      const last = SIZES.at(-1)!;
      line(
        `workspace metrics growth ${first / 1e6}M → ${last / 1e6}M events (p50 without unique actors)`,
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
