import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { createEngine } from "../../src/backfill/index.js";
import type { Engine } from "../../src/backfill/types.js";
import type { Db } from "../../src/db/index.js";
import { createHistoryReader } from "../../src/history/index.js";
import { type FakeDatapipe, startFakeDatapipe } from "../fakes/fake-datapipe.js";
import {
  KEY,
  quietLog,
  seedWorkspace,
  testConfig,
  testTuning,
  waitFor,
  waitForRunEnd,
} from "../backfill/harness.js";
import { createTestDb, resetDb } from "../helpers/db.js";
import { daysAgo, historyGitHub, since, starDays, total } from "./history-fixtures.js";

/** The engine with both sources (contract §4b): each outcome in the row, completed only when both are. */

let db: Db;
let datapipe: FakeDatapipe;
let engine: Engine | undefined;
let gh: ReturnType<typeof historyGitHub>;
const now = Date.now();
const stars = starDays(120, 5, 2, now);

beforeAll(async () => {
  db = await createTestDb();
  datapipe = await startFakeDatapipe({ apiKey: KEY, instant: true });
});
afterAll(async () => {
  await datapipe?.close();
  await db?.close();
});
beforeEach(async () => {
  await resetDb(db);
  datapipe.reset();
  gh = historyGitHub({ now });
  for (const [i, name] of ["a", "c"].entries()) {
    gh.fake.addRepo({ id: i + 1, owner: "octo", name });
    gh.fake.history.setStars(`octo/${name}`, stars);
  }
  await seedWorkspace(db, 1, ["octo/a", "octo/b", "octo/c"]);
});
afterEach(async () => {
  await engine?.stop();
  engine = undefined;
});

function start(overrides: Parameters<typeof testConfig>[1]) {
  const history = createHistoryReader({
    db,
    requestFor: async () => gh.request,
    maxWaitMs: 5_000,
    minRetryDelayMs: 1,
    maxRetryDelayMs: 2,
  });
  engine = createEngine({
    db,
    config: testConfig(datapipe.url, { BACKFILL_DELAY_MS: 0, ...overrides }),
    history,
    log: quietLog,
    tuning: testTuning,
  });
  return engine;
}

const rows = (run: Awaited<ReturnType<typeof waitForRunEnd>>) =>
  run.items.map((i) => [i.fullName, i.status, i.eventsFound, i.github?.status ?? null, i.error]);

it("both: completed only where GitHub and gh-datapipe both are; each failure in its row", async () => {
  datapipe.script("octo/c", { outcome: "failed", error: "boom" });
  const e = start({ BACKFILL_SOURCE: "both" });
  await e.start();
  const { run } = await e.request({
    installationId: 1,
    days: 30,
    source: "cli",
    requestedBy: null,
  });
  expect(run.sources).toEqual(["github", "datapipe"]);
  const end = await waitForRunEnd(e, run.id);
  expect(rows(end)).toEqual([
    ["octo/a", "completed", 0, "completed", null],
    ["octo/b", "failed", 0, "failed", "GitHub history unavailable: 404 Not Found"],
    ["octo/c", "failed", null, "completed", "Backfill job failed: boom"],
  ]);
  expect(end.items[0]!.github).toEqual({
    status: "completed",
    stars: total(since(stars, daysAgo(29, now))),
    forks: 0,
    error: null,
  });
  // gh-datapipe was asked for every repository, GitHub's failure notwithstanding.
  expect(datapipe.triggers().map((t) => [t.repository, t.days])).toEqual([
    ["octo/a", 30],
    ["octo/b", 30],
    ["octo/c", 30],
  ]);
});

it("both without a key: GitHub's figures arrive, the row fails with the missing key's text", async () => {
  const e = start({ BACKFILL_SOURCE: "both", GH_DATPIPE_KEY: undefined });
  await e.start();
  const { run } = await e.request({
    installationId: 1,
    days: 30,
    source: "cli",
    requestedBy: null,
    repositories: [{ owner: "octo", name: "a" }],
  });
  const end = await waitForRunEnd(e, run.id);
  expect(rows(end)).toEqual([
    [
      "octo/a",
      "failed",
      null,
      "completed",
      "Service unavailable: GH_DATPIPE_KEY is not configured",
    ],
  ]);
  expect(datapipe.calls).toEqual([]);
});

it("auto without a key reads GitHub only: no gh-datapipe call, no key needed", async () => {
  const e = start({ BACKFILL_SOURCE: "auto", GH_DATPIPE_KEY: undefined });
  await e.start();
  const { run } = await e.request({
    installationId: 1,
    days: 90,
    source: "cli",
    requestedBy: null,
  });
  const end = await waitForRunEnd(e, run.id);
  expect(end.sources).toEqual(["github"]);
  expect(rows(end)).toEqual([
    ["octo/a", "completed", null, "completed", null],
    ["octo/b", "failed", null, "failed", "GitHub history unavailable: 404 Not Found"],
    ["octo/c", "completed", null, "completed", null],
  ]);
  expect(datapipe.calls).toEqual([]);
});

it("a restart after GitHub was read goes on to gh-datapipe without reading GitHub again", async () => {
  datapipe.script("octo/a", { hold: true });
  const first = start({ BACKFILL_SOURCE: "both" });
  await first.start();
  const { run } = await first.request({
    installationId: 1,
    days: 30,
    source: "cli",
    requestedBy: null,
    repositories: [{ owner: "octo", name: "a" }],
  });
  await waitFor("the trigger", () => datapipe.triggers().length === 1);
  await first.stop();
  const second = start({ BACKFILL_SOURCE: "both" });
  await second.start();
  datapipe.release("octo/a");
  const end = await waitForRunEnd(second, run.id);
  expect(rows(end)).toEqual([["octo/a", "completed", 0, "completed", null]]);
  expect(gh.fake.history.starRequests.get("octo/a")).toBe(1);
  expect(datapipe.triggers()).toHaveLength(1);
});
