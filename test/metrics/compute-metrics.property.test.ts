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
  const asked = (e: TestEvent) =>
    ["octo/a", "octo/b"].includes(`${e.owner}/${e.name}`.toLowerCase());
  for (const e of events.filter(asked)) {
    const t = Date.parse(e.at);
    if (e.type === "WatchEvent" && inRange(t, cur, now)) {
      timeline.set(e.at.slice(0, 10), (timeline.get(e.at.slice(0, 10)) ?? 0) + 1);
    }
  }
  const actors = new Set(
    events
      .filter((e) => e.actor != null && asked(e) && inRange(Date.parse(e.at), cur, now))
      .map((e) => e.actor!.toLowerCase()),
  );
  return { a: per("octo/a"), b: per("octo/b"), timeline, uniqueActors: actors.size };
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
            name: fc.constantFrom("a", "b", "B", "c"),
            actor: fc.constantFrom("ann", "Ann", "bob", "cy", "dee", null),
          }),
          { maxLength: 40 },
        ),
        // Events removed again after counting (deleted, or moved a day back by an update).
        fc.array(fc.record({ index: fc.nat(), move: fc.boolean() }), { maxLength: 4 }),
        async (now, days, specs, removals) => {
          await db.query("truncate github_events_cache");
          const edges: Record<number, number> = {
            0: now,
            1: now - days * DAY,
            2: now - 2 * days * DAY,
            7: now - 7 * DAY,
            14: now - 14 * DAY,
            60: now - 20 * DAY,
          };
          let events: TestEvent[] = specs.map((s) => ({
            id: String(++id),
            type: s.type,
            actor: s.actor,
            owner: s.owner,
            name: s.name,
            at: new Date(edges[s.edge]! + s.offset).toISOString(),
          }));
          if (events.length > 0) await insertEvents(db, events);
          for (const { index, move } of removals) {
            if (events.length === 0) break;
            const event = events[index % events.length]!;
            if (move) {
              await db.query(
                `update github_events_cache set created_at = created_at - interval '1 day'
                  where event_id = $1::text`,
                [event.id],
              );
              event.at = new Date(Date.parse(event.at) - DAY).toISOString();
            } else {
              await db.query("delete from github_events_cache where event_id = $1::text", [
                event.id,
              ]);
              events = events.filter((e) => e !== event);
            }
          }
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
          expect(m.activity.uniqueActors).toBe(want.uniqueActors);
          expect(m.timeline[0]!.date).toBe(new Date(now - days * DAY).toISOString().slice(0, 10));
          expect(m.timeline.at(-1)!.date).toBe(new Date(now - 1).toISOString().slice(0, 10));
        },
      ),
      { numRuns: 60 },
    );
  });
});
