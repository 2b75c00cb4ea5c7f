import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { getRepositoriesMetrics } from "../../src/metrics/get-repositories-metrics.js";
import { createTestDb } from "../helpers/db.js";
import { insertEvents, type TestEvent } from "./fixtures.js";

const DAY = 86_400_000;
const TYPES = ["WatchEvent", "ForkEvent", "IssuesEvent"] as const;

/** The counts by the definition, event by event: the oracle the rollups must agree with. */
function expected(events: TestEvent[], now: number, days: number) {
  const cur = now - days * DAY;
  const prev = now - 2 * days * DAY;
  const inRange = (t: number, a: number, b: number) => t >= a && t < b;
  const per = (repo: string) => {
    const mine = events.filter((e) => `${e.owner}/${e.name}`.toLowerCase() === repo);
    const count = (type: string, a: number, b: number) =>
      mine.filter((e) => e.type === type && inRange(Date.parse(e.at), a, b)).length;
    const activeDays = new Set(
      mine.filter((e) => inRange(Date.parse(e.at), prev, now)).map((e) => e.at.slice(0, 10)),
    );
    return {
      stars: [count("WatchEvent", cur, now), count("WatchEvent", prev, cur)],
      forks: [count("ForkEvent", cur, now), count("ForkEvent", prev, cur)],
      thisWeek: [count("WatchEvent", now - 7 * DAY, now), count("ForkEvent", now - 7 * DAY, now)],
      lastWeek: [
        count("WatchEvent", now - 14 * DAY, now - 7 * DAY),
        count("ForkEvent", now - 14 * DAY, now - 7 * DAY),
      ],
      daysWithEvents: activeDays.size,
      totalEvents: mine.filter((e) => inRange(Date.parse(e.at), cur, now)).length,
    };
  };
  const timeline = new Map<string, number>();
  for (const e of events) {
    const t = Date.parse(e.at);
    if (e.type === "WatchEvent" && inRange(t, cur, now)) {
      timeline.set(e.at.slice(0, 10), (timeline.get(e.at.slice(0, 10)) ?? 0) + 1);
    }
  }
  return { a: per("octo/a"), b: per("octo/b"), timeline };
}

describe("metrics against an event-by-event count", () => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db.close();
  });

  it("agree for any instant, window and events, edges included", async () => {
    let id = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({
          min: Date.parse("2024-01-01T00:00:00Z"),
          max: Date.parse("2024-12-31T00:00:00Z"),
        }),
        fc.constantFrom(1, 2, 7, 10, 30),
        fc.array(
          fc.record({
            edge: fc.constantFrom(0, 1, 2, 7, 14, 60),
            offset: fc.oneof(
              fc.constantFrom(-1, 0, 1, -3_600_000, 3_600_000),
              fc.integer({ min: -3 * DAY, max: 3 * DAY }),
            ),
            type: fc.constantFrom(...TYPES),
            owner: fc.constantFrom("octo", "Octo", "OCTO"),
            name: fc.constantFrom("a", "b", "B"),
          }),
          { maxLength: 40 },
        ),
        async (now, days, specs) => {
          await db.query("truncate github_events_cache");
          const edges: Record<number, number> = {
            0: now,
            1: now - days * DAY,
            2: now - 2 * days * DAY,
            7: now - 7 * DAY,
            14: now - 14 * DAY,
            60: now - 20 * DAY,
          };
          const events: TestEvent[] = specs.map((s) => ({
            id: String(++id),
            type: s.type,
            owner: s.owner,
            name: s.name,
            at: new Date(edges[s.edge]! + s.offset).toISOString(),
          }));
          if (events.length > 0) await insertEvents(db, events);
          const m = await getRepositoriesMetrics(db, ["octo/a", "octo/b"], {
            now: new Date(now),
            days,
          });
          const want = expected(events, now, days);
          for (const [i, key] of (["a", "b"] as const).entries()) {
            const got = m.repositories[i]!;
            const w = want[key];
            expect([got.stars.current, got.stars.previous]).toEqual(w.stars);
            expect([got.forks.current, got.forks.previous]).toEqual(w.forks);
            expect([got.thisWeek.stars, got.thisWeek.forks]).toEqual(w.thisWeek);
            expect([got.lastWeek.stars, got.lastWeek.forks]).toEqual(w.lastWeek);
            expect(got.coverage.daysWithEvents).toBe(w.daysWithEvents);
            expect(got.totalEvents).toBe(w.totalEvents);
          }
          expect(m.timeline.filter((d) => d.stars > 0).map((d) => [d.date, d.stars])).toEqual(
            [...want.timeline.entries()].sort(),
          );
          expect(m.timeline[0]!.date).toBe(new Date(now - days * DAY).toISOString().slice(0, 10));
          expect(m.timeline.at(-1)!.date).toBe(new Date(now - 1).toISOString().slice(0, 10));
        },
      ),
      { numRuns: 60 },
    );
  });
});
