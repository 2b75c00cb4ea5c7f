import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { insertEvents, syntheticEvents, syntheticRowWriter } from "../fakes/synthetic-events.js";
import { createTestDb } from "../helpers/db.js";

const now = new Date("2025-06-01T12:00:00Z");
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

let db: Db;
beforeEach(async () => {
  db ??= await createTestDb();
  // Only the events table is touched here.
  await db.query("delete from github_events_cache");
});
afterAll(async () => {
  await db?.close();
});

describe("syntheticEvents", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    const a = syntheticEvents({ repository: "octo/a", days: 90, seed: 7, now });
    const b = syntheticEvents({ repository: "octo/a", days: 90, seed: 7, now });
    const c = syntheticEvents({ repository: "octo/a", days: 90, seed: 8, now });
    expect(b.events).toEqual(a.events);
    expect(c.starsByDay).not.toEqual(a.starsByDay);
  });

  it("has one event per counted star and fork, unique ids, all inside the window", () => {
    const { events, starsByDay, forksByDay } = syntheticEvents({
      repository: "octo/a",
      days: 90,
      seed: 3,
      now,
    });
    expect(starsByDay).toHaveLength(90);
    expect(events.filter((e) => e.eventType === "WatchEvent")).toHaveLength(sum(starsByDay));
    expect(events.filter((e) => e.eventType === "ForkEvent")).toHaveLength(sum(forksByDay));
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    const oldest = now.getTime() - 90 * 86_400_000;
    for (const e of events) {
      expect(e.createdAt.getTime()).toBeGreaterThanOrEqual(oldest);
      expect(e.createdAt.getTime()).toBeLessThanOrEqual(now.getTime());
      expect(e.actorLogin).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
    const fork = events.find((e) => e.eventType === "ForkEvent")!;
    expect(fork.payload).toMatchObject({
      forkee: { full_name: `${fork.actorLogin}/a`, fork: true, owner: { login: fork.actorLogin } },
    });
    expect(events.find((e) => e.eventType === "WatchEvent")!.payload).toEqual({
      action: "started",
    });
  });

  it("grows 15-30% between the two last 30-day windows, forks about 1/8 of stars", () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      for (const repository of ["octo/a", "octo/b", "acme/widgets"]) {
        const { starsByDay, forksByDay, growth } = syntheticEvents({
          repository,
          days: 90,
          seed,
          now,
        });
        const current = sum(starsByDay.slice(0, 30));
        const previous = sum(starsByDay.slice(30, 60));
        expect(current).toBe(Math.round(previous * (1 + growth)));
        expect(current / previous - 1).toBeGreaterThanOrEqual(0.15);
        expect(current / previous - 1).toBeLessThanOrEqual(0.3);
        const forkShare = sum(forksByDay) / sum(starsByDay);
        expect(forkShare).toBeGreaterThan(0.09);
        expect(forkShare).toBeLessThan(0.16);
      }
    }
  });
});

describe("insertEvents", () => {
  it("writes every row once, in the database's own windows the same trend", async () => {
    const series = syntheticEvents({ repository: "Octo/Widgets", days: 90, seed: 11, now });
    expect(await insertEvents(db, series.events)).toBe(series.events.length);
    const { rows } = await db.query<{
      stars: number;
      forks: number;
      current: number;
      previous: number;
      payload_action: string;
    }>(
      `select count(*) filter (where event_type = 'WatchEvent')::int as stars,
              count(*) filter (where event_type = 'ForkEvent')::int as forks,
              count(*) filter (where event_type = 'WatchEvent'
                                 and created_at > $1::timestamptz - interval '30 days')::int as current,
              count(*) filter (where event_type = 'WatchEvent'
                                 and created_at <= $1::timestamptz - interval '30 days'
                                 and created_at > $1::timestamptz - interval '60 days')::int as previous,
              min(payload->>'action') as payload_action
         from github_events_cache
        where lower(repository_owner) = 'octo' and lower(repository_name) = 'widgets'`,
      [now.toISOString()],
    );
    expect(rows[0]).toEqual({
      stars: sum(series.starsByDay),
      forks: sum(series.forksByDay),
      current: sum(series.starsByDay.slice(0, 30)),
      previous: sum(series.starsByDay.slice(30, 60)),
      payload_action: "started",
    });
    // A second write of the same history adds nothing.
    expect(await insertEvents(db, series.events)).toBe(0);
  });

  it("the row writer writes a repository's history and reports the count", async () => {
    const write = syntheticRowWriter(db, { seed: 5, now: () => now });
    const expected = syntheticEvents({ repository: "octo/a", days: 30, seed: 5, now }).events;
    expect(await write({ repository: "octo/a", days: 30 })).toBe(expected.length);
    const { rows } = await db.query<{ n: number }>(
      "select count(*)::int as n from github_events_cache",
    );
    expect(rows[0]!.n).toBe(expected.length);
  });
});
