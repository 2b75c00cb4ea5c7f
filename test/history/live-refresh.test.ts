import { waitFor } from "../helpers/wait-for.js";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { silentLog } from "../../src/backfill/engine-log.js";
import type { Db } from "../../src/db/index.js";
import { createLiveRefresh, type HistoryReader } from "../../src/history/index.js";
import { createTestDb, resetDb } from "../helpers/db.js";
import { seedWorkspaceRepos } from "./history-fixtures.js";

let db: Db;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.close();
});

const clock = { now: Date.parse("2026-12-02T12:00:00Z") };
let reads: string[];
let gate: Promise<void> | null;

const reader: HistoryReader = {
  async read(_installationId, repo) {
    reads.push(`${repo.owner}/${repo.name}`);
    await gate;
    return { stars: 0, forks: 0, requests: 2 };
  },
};

const replica = () =>
  createLiveRefresh({ db, reader, debounceMs: 60_000, log: silentLog, now: () => clock.now });

beforeEach(async () => {
  await resetDb(db);
  await seedWorkspaceRepos(db, 1, ["octo/a", "octo/b"]);
  reads = [];
  gate = null;
});

it("two replicas sweeping one burst read each repository once, and only workspace repositories", async () => {
  const [one, two] = [replica(), replica()];
  for (let i = 0; i < 50; i++) {
    expect(await (i % 2 ? one : two).request({ installationId: 1, owner: "Octo", name: "A" })).toBe(
      true,
    );
  }
  expect(await one.request({ installationId: 1, owner: "octo", name: "b" })).toBe(true);
  expect(await one.request({ installationId: 1, owner: "octo", name: "elsewhere" })).toBe(false);
  expect(await one.request({ installationId: 2, owner: "octo", name: "a" })).toBe(false);
  expect(await Promise.all([one.sweep(), two.sweep()])).toEqual([0, 0]);
  clock.now += 60_000;
  const swept = await Promise.all([one.sweep(), two.sweep()]);
  expect(swept[0]! + swept[1]!).toBe(2);
  expect(reads.sort()).toEqual(["Octo/A", "octo/b"]);
  expect(await one.sweep()).toBe(0);
});

it("a webhook during the read asks for one more read a debounce time later, not lost", async () => {
  const refresh = replica();
  await refresh.request({ installationId: 1, owner: "octo", name: "a" });
  clock.now += 60_000;
  let release!: () => void;
  gate = new Promise((r) => {
    release = r;
  });
  const sweeping = refresh.sweep();
  await waitFor("the read under way", () => reads.length > 0);
  expect(await refresh.request({ installationId: 1, owner: "octo", name: "a" })).toBe(true);
  release();
  expect(await sweeping).toBe(1);
  expect(await refresh.sweep()).toBe(0);
  clock.now += 60_000;
  expect(await refresh.sweep()).toBe(1);
  expect(reads).toEqual(["octo/a", "octo/a"]);
});
