import type { Probot } from "probot";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createEngine } from "../../src/backfill/index.js";
import { silentLog } from "../../src/backfill/engine-log.js";
import type { Engine, RunSnapshot } from "../../src/backfill/types.js";
import { readConfig } from "../../src/config.js";
import type { Db } from "../../src/db/index.js";
import type { Surfaces } from "../../src/github/register-surfaces.js";
import {
  createHistoryReader,
  createLiveRefresh,
  type GitHubRequest,
  type LiveRefresh,
} from "../../src/history/index.js";
import { FakeGitHub } from "../fakes/fake-github.js";
import { routeGitHubToFake } from "../github/github-nock.js";
import { openApiTemplate } from "../github/openapi-routes.js";
import { createTestDb, resetDb } from "../helpers/db.js";
import { createTestProbot, examplePayload } from "../helpers/probot.js";
import { createMetricsHandler } from "../../src/metrics/index.js";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { countByDay, daysAgo, forkTimes, since, starDays, total } from "./history-fixtures.js";

// biome-ignore lint/suspicious/noExplicitAny: tests patch arbitrary fields of GitHub's example payloads
type Payload = Record<string, any>;

/**
 * The app as `npm start` wires it (Probot handlers, the real engine, the GitHub reader on
 * `app.auth(installationId)`, the live refresh), events through `probot.receive`, against
 * the stateful fake GitHub behind nock. No gh-datapipe key and no BACKFILL_SOURCE: the
 * keyless install every new user gets.
 */

const INSTALLATION = 6100;
const OWNER = "acme";
const REPOS = ["widgets", "gadgets"];
const now = Date.now();
const today = daysAgo(0, now);

let db: Db;
let fake: FakeGitHub;
let probot: Probot;
let engine: Engine;
let surfaces: Surfaces;
let live: LiveRefresh;
let clock: { now: number };
let sleeps: number[];
let delivery = 0;

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await engine?.stop();
  await db?.close();
});

async function setup(env: Record<string, string> = {}) {
  await engine?.stop();
  await resetDb(db);
  clock = { now };
  sleeps = [];
  fake = new FakeGitHub();
  for (const [i, name] of REPOS.entries()) fake.addRepo({ id: 800 + i, owner: OWNER, name });
  fake.setPermission("mona", "write");
  routeGitHubToFake(fake);
  const config = readConfig({ BACKFILL_PROGRESS_EVERY: "1", ...env });
  probot = await createTestProbot((app, options) => {
    const history = createHistoryReader({
      db,
      requestFor: async (id) => (await app.auth(id)).request as unknown as GitHubRequest,
      maxWaitMs: config.BACKFILL_JOB_TIMEOUT_MS,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      minRetryDelayMs: 1,
      maxRetryDelayMs: 2,
    });
    engine = createEngine({
      db,
      config,
      history,
      log: silentLog,
      tuning: { leaseMs: 2_000, idleMs: 20 },
    });
    live = createLiveRefresh({
      db,
      reader: history,
      debounceMs: config.GITHUB_REFRESH_DEBOUNCE_MS,
      log: silentLog,
      now: () => clock.now,
    });
    return createApp({
      db,
      config,
      engine,
      liveRefresh: live,
      onSurfaces: (s) => {
        surfaces = s;
      },
    })(app, options);
  });
  await engine.start();
}

async function send(name: string, payload: unknown) {
  await probot.receive({ id: `d-${++delivery}`, name, payload } as Parameters<
    Probot["receive"]
  >[0]);
}

function runEnd(): Promise<RunSnapshot> {
  return new Promise((resolve) => {
    const off = engine.subscribe((e) => {
      if (e.type === "run.finished") {
        off();
        resolve(e.run);
      }
    });
  });
}

function installPayload(): Payload {
  const p = examplePayload<Payload>("installation", "created");
  p.installation.id = INSTALLATION;
  p.installation.account.login = OWNER;
  p.repositories = REPOS.map((name, i) => ({
    id: 800 + i,
    node_id: `R_${i}`,
    name,
    full_name: `${OWNER}/${name}`,
    private: false,
  }));
  return p;
}

async function install(): Promise<RunSnapshot> {
  const ended = runEnd();
  await send("installation", installPayload());
  const run = await ended;
  await surfaces.idle();
  return run;
}

function starPayload(name: string, action: "created" | "deleted"): Payload {
  const p = examplePayload<Payload>("star", action);
  p.installation = { id: INSTALLATION, node_id: "x" };
  p.repository.name = name;
  p.repository.full_name = `${OWNER}/${name}`;
  p.repository.owner.login = OWNER;
  return p;
}

const widgetsStars = starDays(1_000, 9, 3, now);
const widgetsForks = forkTimes(240, 1_000, now);
const gadgetsStars = starDays(300, 4, 5, now);

function seedHistory() {
  fake.history
    .setStars(`${OWNER}/widgets`, widgetsStars)
    .addForks(`${OWNER}/widgets`, widgetsForks);
  fake.history.setStars(`${OWNER}/gadgets`, gadgetsStars);
}

function progressBody(): string {
  const comments = [...fake.comments.values()];
  expect(comments).toHaveLength(1);
  return comments[0]!.body;
}

describe("no key, no BACKFILL_SOURCE: GitHub is the source", () => {
  beforeEach(async () => {
    await setup();
    seedHistory();
  });

  it("install → every repository completed with `N stars, M forks`, GitHub's exact days stored", async () => {
    const run = await install();
    const window = daysAgo(89, now);
    const wStars = total(since(widgetsStars, window));
    const wForks = total(since(countByDay(widgetsForks), window));
    const gStars = total(since(gadgetsStars, window));
    expect(run.status).toBe("completed");
    expect(run.sources).toEqual(["github"]);
    expect(run.items.map((i) => [i.fullName, i.status, i.eventsFound, i.github, i.error])).toEqual([
      [
        "acme/widgets",
        "completed",
        null,
        { status: "completed", stars: wStars, forks: wForks, error: null },
        null,
      ],
      [
        "acme/gadgets",
        "completed",
        null,
        { status: "completed", stars: gStars, forks: 0, error: null },
        null,
      ],
    ]);
    const body = progressBody();
    expect(body).toContain(`| acme/widgets | completed | ${wStars} stars, ${wForks} forks |  |`);
    expect(body).toContain(`| acme/gadgets | completed | ${gStars} stars, 0 forks |  |`);
    expect(body).toContain("**2/2 (100%)** completed");
    expect([...fake.checkRuns.values()][0]).toMatchObject({ conclusion: "success" });
    // One star page (210 days ≥ 90) and one fork page per repository; no gh-datapipe.
    expect(fake.history.starRequests).toEqual(
      new Map([
        ["acme/widgets", 1],
        ["acme/gadgets", 1],
      ]),
    );
    expect(fake.history.forkRequests).toEqual(
      new Map([
        ["acme/widgets", 1],
        ["acme/gadgets", 1],
      ]),
    );
    expect(fake.requests.filter((r) => openApiTemplate(r.method, r.path) === null)).toEqual([]);
  });

  it("`/backfill all` reads every page, shows the whole history and a chart per month, then 🚀", async () => {
    await install();
    const before = fake.requests.length;
    const comment = examplePayload<Payload>("issue_comment", "created");
    const tracking = [...fake.issues.entries()].find(([, list]) => list.length > 0)!;
    const [owner, repo] = tracking[0].split("/");
    comment.installation = { id: INSTALLATION, node_id: "x" };
    comment.repository = {
      ...comment.repository,
      id: 800,
      name: repo,
      full_name: `${owner}/${repo}`,
    };
    comment.repository.owner = { ...comment.repository.owner, login: owner };
    comment.issue.number = tracking[1][0]!.number;
    comment.issue.html_url = `https://github.com/${owner}/${repo}/issues/${comment.issue.number}`;
    comment.issue.labels = [{ name: "workspace-backfill" }];
    delete comment.issue.pull_request;
    comment.comment.id = 777;
    comment.comment.body = "/backfill all";
    comment.sender = { ...comment.sender, login: "mona", type: "User" };
    const ended = runEnd();
    await send("issue_comment", comment);
    const run = await ended;
    await surfaces.idle();

    expect(run.fullHistory).toBe(true);
    expect(run.items.map((i) => i.github)).toEqual([
      { status: "completed", stars: total(widgetsStars), forks: 240, error: null },
      { status: "completed", stars: total(gadgetsStars), forks: 0, error: null },
    ]);
    // widgets: 1,000 days are 144 weeks → 5 pages; 240 forks → 3 pages. gadgets: 300 days
    // are 44 weeks → 2 pages, and one empty fork page.
    const calls = fake.requests.slice(before).filter((r) => /history|forks$/.test(r.path));
    expect(
      calls.map(
        (r) =>
          `${r.path.split("/")[3]} ${r.path.endsWith("forks") ? "forks" : "stars"} ${r.query.page}`,
      ),
    ).toEqual([
      "widgets stars 1",
      "widgets stars 2",
      "widgets stars 3",
      "widgets stars 4",
      "widgets stars 5",
      "widgets forks 1",
      "widgets forks 2",
      "widgets forks 3",
      "gadgets stars 1",
      "gadgets stars 2",
      "gadgets forks 1",
    ]);
    const results = [...fake.comments.values()].find((c) => c.body.includes(`run #${run.id} `))!;
    expect(results.body).toContain("of the whole history");
    expect(results.body).toContain(
      `| acme/widgets | completed | ${total(widgetsStars)} stars, 240 forks |  |`,
    );
    expect(results.body).toContain('title "Stars (bars) and forks (line) per month"');
    const months = /x-axis \[(.*)\]/.exec(results.body)![1]!.split(", ");
    expect(months.length).toBeLessThanOrEqual(45);
    expect(months.at(-1)).toBe(`"${today.slice(0, 7)}"`);
    expect(fake.reactionsOn(777)).toEqual(["eyes", "rocket"]);
  });

  it("GitHub's days replace WatchEvent rows on the days it covers, and only there", async () => {
    await install();
    const covered = daysAgo(10, now);
    const outside = "2019-06-01";
    for (const [i, day] of [covered, covered, outside].entries()) {
      await db.query(
        `insert into github_events_cache (event_id, event_type, actor_login, repository_owner, repository_name, created_at)
         values ($1, 'WatchEvent', 'someone', 'Acme', 'Widgets', $2::timestamptz)`,
        [`w-${i}`, `${day}T08:00:00Z`],
      );
    }
    const { rows } = await db.query<{ day: string; stars: number; stars_source: string }>(
      `select to_char(day, 'YYYY-MM-DD') as day, stars, stars_source from repository_daily_counts
        where repository_name = 'widgets' and (day = $1::date or day = $2::date) order by day`,
      [outside, covered],
    );
    expect(rows).toEqual([
      { day: outside, stars: 1, stars_source: "events" },
      ...(widgetsStars.has(covered)
        ? [{ day: covered, stars: widgetsStars.get(covered)!, stars_source: "github" }]
        : []),
    ]);
  });
});

describe("failures and rate limits, each in its repository's row", () => {
  beforeEach(async () => {
    await setup();
    seedHistory();
  });

  it("a 403 primary rate limit is waited out until its reset, then the repository completes", async () => {
    const reset = Math.floor(Date.now() / 1000) + 300;
    fake.history.script("stars", {
      status: 403,
      body: { message: "API rate limit exceeded for installation ID 6100." },
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
    });
    const run = await install();
    expect(run.items.map((i) => i.status)).toEqual(["completed", "completed"]);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(290_000);
    expect(sleeps[0]).toBeLessThanOrEqual(301_000);
  });

  it.each([
    [404, 1, "GitHub history unavailable: 404 Not Found"],
    [503, 4, "GitHub history unavailable: 503 Service Unavailable"],
  ])(
    "%i (%i times) on the first repository → `%s` there, the other completes",
    async (status, n, text) => {
      fake.history.script("stars", { status, body: { message: "nope" } }, n);
      const run = await install();
      expect(run.items.map((i) => [i.fullName, i.status, i.error])).toEqual([
        ["acme/widgets", "failed", text],
        ["acme/gadgets", "completed", null],
      ]);
      // Table cells escape Markdown punctuation: `:` as `\:`, as GitHub renders it.
      expect(progressBody()).toContain(
        `| acme/widgets | failed |  | ${text.replace(":", "\\:")} |`,
      );
      expect([...fake.checkRuns.values()][0]).toMatchObject({ conclusion: "failure" });
    },
  );
});

describe("live figures", () => {
  it("a burst of 100 `star` webhooks reads the repository's newest figures once, writes nothing", async () => {
    await setup({ GITHUB_REFRESH_DEBOUNCE_MS: "60000" });
    seedHistory();
    await install();
    const before = fake.requests.length;
    const starsBefore = fake.history.starRequests.get("acme/widgets");
    for (let i = 0; i < 100; i++) {
      await send("star", starPayload("widgets", i % 10 === 9 ? "deleted" : "created"));
      clock.now += 300; // 30 s of webhooks, all inside one debounce time
    }
    expect(await live.sweep()).toBe(0);
    expect(fake.requests.length).toBe(before);
    clock.now = now + 60_000;
    expect(await live.sweep()).toBe(1);
    expect(await live.sweep()).toBe(0);
    expect(fake.history.starRequests.get("acme/widgets")).toBe(starsBefore! + 1);
    // Only reads: no comment, no check run, no run.
    expect(fake.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /repos/acme/widgets/stargazers/history",
      "GET /repos/acme/widgets/forks",
    ]);
    const { rows } = await db.query("select id from backfill_runs");
    expect(rows).toHaveLength(1);
  });

  it("with BACKFILL_SOURCE=datapipe a star webhook asks for nothing", async () => {
    await setup({ BACKFILL_SOURCE: "datapipe", AUTO_BACKFILL_ON_INSTALL: "false" });
    await send("installation", installPayload());
    await send("star", starPayload("widgets", "created"));
    clock.now += 10 * 60_000;
    expect(await live.sweep()).toBe(0);
    expect(fake.history.starRequests.size).toBe(0);
  });
});

/** The metrics API (contract §6) over HTTP, as a dashboard or script would call it. */
async function metricsApi(days: number): Promise<Payload> {
  const handler = createMetricsHandler({ db, token: "t0ken" });
  const server = createServer(async (req, res) => {
    if (!(await handler(req, res))) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const answer = await fetch(
      `http://127.0.0.1:${port}/api/workspaces/${INSTALLATION}/metrics?days=${days}`,
      { headers: { authorization: "Bearer t0ken" } },
    );
    expect(answer.status).toBe(200);
    return (await answer.json()) as Payload;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Sum of a day map over the UTC dates `from`..`to` (inclusive). */
const between = (days: Map<string, number>, from: string, to: string) =>
  [...days].filter(([d]) => d >= from && d <= to).reduce((s, [, n]) => s + n, 0);

describe("the metrics API over GitHub's figures (no key, no BACKFILL_SOURCE)", () => {
  beforeEach(async () => {
    await setup();
    seedHistory();
  });

  it("after the install its stars and forks are the fake's days, whole UTC dates, source github", async () => {
    await install();
    const api = await metricsApi(30);
    const currentFrom = daysAgo(29, now);
    const previousFrom = daysAgo(59, now);
    const previousTo = daysAgo(30, now);
    const forksByDay = countByDay(widgetsForks);
    const stars = {
      current:
        between(widgetsStars, currentFrom, today) + between(gadgetsStars, currentFrom, today),
      previous:
        between(widgetsStars, previousFrom, previousTo) +
        between(gadgetsStars, previousFrom, previousTo),
    };
    const forks = {
      current: between(forksByDay, currentFrom, today),
      previous: between(forksByDay, previousFrom, previousTo),
    };
    expect(stars.current).toBeGreaterThan(0);
    expect(forks.current).toBeGreaterThan(0);
    expect(api.stars).toMatchObject({ ...stars, source: "github" });
    expect(api.forks).toMatchObject({ ...forks, source: "github" });
    expect(api.stars.percentChange).toBe(
      Math.round(((stars.current - stars.previous) / stars.previous) * 100),
    );
    // One entry per date the window touches (README): its entries add up to `current`.
    const timeline = api.timeline as { stars: number; forks: number }[];
    expect(timeline.reduce((n, d) => n + d.stars, 0)).toBe(stars.current);
    expect(timeline.reduce((n, d) => n + d.forks, 0)).toBe(forks.current);
    expect(api.timeline.at(-1)).toEqual({
      date: today,
      stars: (widgetsStars.get(today) ?? 0) + (gadgetsStars.get(today) ?? 0),
      forks: forksByDay.get(today) ?? 0,
      total:
        (widgetsStars.get(today) ?? 0) +
        (gadgetsStars.get(today) ?? 0) +
        (forksByDay.get(today) ?? 0),
    });
  });

  it("WatchEvent rows on days GitHub covers are not counted again; before them they count: mixed", async () => {
    await install();
    const inside = new Date(now - 2 * 86_400_000).toISOString();
    // Before the 210 days the install read: GitHub does not cover that day.
    const outside = new Date(now - 400 * 86_400_000).toISOString();
    await db.query(
      `insert into github_events_cache (event_id, event_type, actor_login, repository_owner, repository_name, created_at)
       values ('w1', 'WatchEvent', 'x', 'acme', 'widgets', $1::timestamptz),
              ('w2', 'WatchEvent', 'y', 'ACME', 'Widgets', $1::timestamptz),
              ('w3', 'WatchEvent', 'z', 'acme', 'widgets', $2::timestamptz)`,
      [inside, outside],
    );
    const api = await metricsApi(30);
    const currentFrom = daysAgo(29, now);
    expect(api.stars.current).toBe(
      between(widgetsStars, currentFrom, today) + between(gadgetsStars, currentFrom, today),
    );
    expect(api.stars.source).toBe("github");
    const year = await metricsApi(365);
    // The day 400 days back lies in the previous window of 365 days, counted from its event.
    const yearFrom = daysAgo(729, now);
    const coveredFrom = (
      await db.query<{ from: string }>(
        `select to_char(stars_from, 'YYYY-MM-DD') as from from github_history_coverage
        where owner_key = 'acme' and name_key = 'widgets'`,
      )
    ).rows[0]!.from;
    expect(year.stars.previous).toBe(
      1 +
        between(widgetsStars, coveredFrom, daysAgo(365, now)) +
        between(gadgetsStars, yearFrom, daysAgo(365, now)),
    );
    expect(year.stars.source).toBe("mixed");
  });
});
