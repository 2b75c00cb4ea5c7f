import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { createHistoryReader, HistoryError } from "../../src/history/index.js";
import { createTestDb, resetDb } from "../helpers/db.js";
import {
  countByDay,
  coverageOf,
  daysAgo,
  forkTimes,
  historyGitHub,
  NOW,
  since,
  starDays,
  storedDays,
  TODAY,
  total,
} from "./history-fixtures.js";

let db: Db;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.close();
});

const clock = { now: NOW };
let gh: ReturnType<typeof historyGitHub>;
let sleeps: number[];

function reader(maxWaitMs = 1_800_000) {
  return createHistoryReader({
    db,
    requestFor: async () => gh.request,
    maxWaitMs,
    now: () => clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.now += ms;
    },
    minRetryDelayMs: 1,
    maxRetryDelayMs: 2,
  });
}

beforeEach(async () => {
  await resetDb(db);
  clock.now = NOW;
  sleeps = [];
  gh = historyGitHub(clock);
  gh.fake.addRepo({ id: 1, owner: "octo", name: "a" });
});

// The running week starts on Sunday 2026-11-29; a page holds it and the 29 weeks before.
const FIRST_PAGE_FROM = "2026-05-10";

describe("a back-fill of some days", () => {
  it("reads one star page and the fork pages back to the window, and stores GitHub's exact days", async () => {
    const stars = starDays(700);
    const forks = forkTimes(300, 700); // ~43 a 100 days: the window's forks fit one page
    gh.fake.history.setStars("octo/a", stars).addForks("octo/a", forks);

    const read = await reader().read(1, { owner: "Octo", name: "A" }, { days: 90, all: false });

    const window = daysAgo(89);
    expect(read).toEqual({
      stars: total(since(stars, window)),
      forks: total(since(countByDay(forks), window)),
      requests: 2,
    });
    expect(gh.fake.calls()).toEqual([
      "GET /repos/Octo/A/stargazers/history",
      "GET /repos/Octo/A/forks",
    ]);
    const [starCall, forkCall] = gh.fake.requests;
    expect(starCall!.query).toEqual({ per_page: "30", page: "1" });
    expect(forkCall!.query).toEqual({ sort: "newest", per_page: "100", page: "1" });
    const stored = await storedDays(db, "octo", "a");
    // The whole first page is stored (210 days), not only the 90 asked for.
    expect(stored.stars).toEqual(since(stars, FIRST_PAGE_FROM));
    expect(stored.forks).toEqual(since(countByDay(forks), window));
    expect(await coverageOf(db, "octo", "a")).toEqual({
      stars_from: FIRST_PAGE_FROM,
      stars_to: TODAY,
      forks_from: window,
      forks_to: TODAY,
    });
  });

  it("sends the star history's API version header", async () => {
    let seen: Record<string, unknown> | undefined;
    const r = createHistoryReader({
      db,
      requestFor: async () => async (route, params) => {
        seen ??= { route, ...params };
        return gh.request(route, params);
      },
      maxWaitMs: 1000,
      now: () => clock.now,
    });
    await r.read(1, { owner: "octo", name: "a" }, { days: 30, all: false });
    expect(seen).toMatchObject({
      route: "GET /repos/{owner}/{repo}/stargazers/history",
      owner: "octo",
      repo: "a",
      per_page: 30,
      page: 1,
      headers: { "x-github-api-version": "2026-03-10" },
    });
  });

  it("a second read of the same days replaces them and never adds", async () => {
    const stars = starDays(400);
    gh.fake.history.setStars("octo/a", stars).addForks("octo/a", forkTimes(50, 400));
    const r = reader();
    await r.read(1, { owner: "octo", name: "a" }, { days: 90, all: false });
    const first = await storedDays(db, "octo", "a");
    // A star removed since: GitHub's day goes down, and so does ours.
    const lowered = new Map(stars);
    const day = daysAgo(3);
    lowered.set(day, (stars.get(day) ?? 0) + 1);
    gh.fake.history.setStars("octo/a", lowered);
    await r.read(1, { owner: "octo", name: "a" }, { days: 90, all: false });
    const second = await storedDays(db, "octo", "a");
    expect(second.forks).toEqual(first.forks);
    expect(second.stars).toEqual(since(lowered, FIRST_PAGE_FROM));
    expect(total(second.stars)).toBe(total(first.stars) + 1);
  });

  it("a later read reaches back to where the stored coverage ends, keeping it one range", async () => {
    gh.fake.history.setStars("octo/a", starDays(600)).addForks("octo/a", forkTimes(20, 600));
    const r = reader();
    await r.read(1, { owner: "octo", name: "a" }, { days: 90, all: false });
    clock.now += 250 * 86_400_000; // 250 days on: the newest page no longer reaches 0's end
    const later = new Date(clock.now).toISOString().slice(0, 10);
    await r.read(1, { owner: "octo", name: "a" }, { days: 1, all: false });
    expect(await coverageOf(db, "octo", "a")).toEqual({
      stars_from: FIRST_PAGE_FROM,
      stars_to: later,
      forks_from: daysAgo(89),
      forks_to: later,
    });
    // Two star pages the second time (back past 2026-12-02), all forks (20 fit one page).
    expect(gh.fake.history.starRequests.get("octo/a")).toBe(1 + 2);
  });
});

describe("/backfill all", () => {
  it("reads every page and no more: 40,000 stars over 4 years cost 7 star-history requests", async () => {
    const stars = new Map<string, number>();
    for (let i = 0; i < 4 * 365; i++) stars.set(daysAgo(i), i % 2 === 0 ? 27 : 28);
    const forks = forkTimes(250, 4 * 365);
    gh.fake.history.setStars("octo/a", stars).addForks("octo/a", forks);
    expect(total(stars)).toBeGreaterThanOrEqual(40_000);

    const read = await reader().read(1, { owner: "octo", name: "a" }, { days: 90, all: true });

    // 4 years are 209 weeks: ceil(209 / 30) = 7 pages, and the forks' 3 pages of 100.
    expect(gh.fake.history.starRequests.get("octo/a")).toBe(7);
    expect(gh.fake.history.starRequests.get("octo/a")).toBeLessThanOrEqual(8);
    expect(gh.fake.history.forkRequests.get("octo/a")).toBe(3);
    expect(gh.fake.requests.map((r) => Number(r.query.page))).toEqual([
      1, 2, 3, 4, 5, 6, 7, 1, 2, 3,
    ]);
    expect(read).toEqual({ stars: total(stars), forks: 250, requests: 10 });
    const stored = await storedDays(db, "octo", "a");
    expect(stored.stars).toEqual(stars);
    expect(stored.forks).toEqual(countByDay(forks));
  });

  it("a repository without stars or forks stores nothing and covers the window", async () => {
    const read = await reader().read(1, { owner: "octo", name: "a" }, { days: 90, all: true });
    expect(read).toEqual({ stars: 0, forks: 0, requests: 2 });
    expect(await coverageOf(db, "octo", "a")).toEqual({
      stars_from: daysAgo(89),
      stars_to: TODAY,
      forks_from: daysAgo(89),
      forks_to: TODAY,
    });
  });
});

describe("rate limits and failures", () => {
  it("waits out a primary rate limit (403, x-ratelimit-remaining: 0) until the reset", async () => {
    gh.fake.history.setStars("octo/a", starDays(30));
    const reset = Math.floor(NOW / 1000) + 120;
    gh.fake.history.script("stars", {
      status: 403,
      body: { message: "API rate limit exceeded for installation ID 1." },
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
    });
    const read = await reader().read(1, { owner: "octo", name: "a" }, { days: 30, all: false });
    expect(sleeps).toEqual([reset * 1000 - NOW + 1000]);
    expect(read.requests).toBe(3);
    expect(gh.fake.history.starRequests.get("octo/a")).toBe(2);
  });

  it("waits out a secondary rate limit for its Retry-After", async () => {
    gh.fake.history.script("forks", {
      status: 429,
      body: { message: "You have exceeded a secondary rate limit." },
      headers: { "retry-after": "30" },
    });
    await reader().read(1, { owner: "octo", name: "a" }, { days: 30, all: false });
    expect(sleeps).toEqual([30_000]);
  });

  it("fails the read when the wait would pass the job timeout", async () => {
    gh.fake.history.script("stars", {
      status: 403,
      body: { message: "API rate limit exceeded" },
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 + 3600) },
    });
    await expect(
      reader(60_000).read(1, { owner: "octo", name: "a" }, { days: 30, all: false }),
    ).rejects.toThrow(
      new HistoryError(403, "rate limited for longer than the job timeout").message,
    );
    expect(sleeps).toEqual([]);
  });

  it.each([
    [404, "GitHub history unavailable: 404 Not Found", 1],
    [403, "GitHub history unavailable: 403 Forbidden", 1],
    [502, "GitHub history unavailable: 502 Bad Gateway", 4],
    [500, "GitHub history unavailable: 500 Internal Server Error", 4],
  ])("%i → %s after %i attempts", async (status, text, attempts) => {
    gh.fake.history.script("stars", { status, body: { message: "no" } }, 10);
    await expect(
      reader().read(1, { owner: "octo", name: "a" }, { days: 30, all: false }),
    ).rejects.toThrow(text);
    expect(gh.fake.history.starRequests.get("octo/a")).toBe(attempts);
    expect(await coverageOf(db, "octo", "a")).toBeNull();
  });

  it("a repository GitHub does not know → 404 Not Found", async () => {
    await expect(
      reader().read(1, { owner: "octo", name: "gone" }, { days: 30, all: false }),
    ).rejects.toThrow("GitHub history unavailable: 404 Not Found");
  });
});
