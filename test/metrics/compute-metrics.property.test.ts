import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { getRepositoriesMetrics } from "../../src/metrics/get-repositories-metrics.js";
import { getWorkspaceMetrics } from "../../src/metrics/get-workspace-metrics.js";
import { createTestDb } from "../helpers/db.js";
import { addWorkspace, insertEvents, type TestEvent } from "./fixtures.js";

const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();
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

  /**
   * The workspace actor rollup against the definition: repositories join and leave the
   * workspace (and are renamed) between inserts, actors act in several repositories, events
   * fall exactly on the window start or after `now`, rows are deleted (the answer then
   * counts events), event_ids repeat. Without deletes the rollup itself must equal
   * its definition, row by row, whichever way the answer was counted.
   */
  it("agree on a workspace's unique actors through membership changes", async () => {
    const REPOS = ["octo/a", "Octo/b", "octo/c", "other/d"] as const;
    let id = 0;
    let repositoryId = 0;
    const step = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant("insert" as const),
          events: fc.array(
            fc.record({
              edge: fc.constantFrom(0, 1, 2),
              offset: fc.oneof(
                fc.constantFrom(-1, 0, 1, -600_000, 600_000, -3_600_000, -1_800_000, 1_800_000),
                fc.integer({ min: -2 * DAY, max: 2 * DAY }),
              ),
              repo: fc.constantFrom(...REPOS),
              actor: fc.constantFrom("ann", "Ann", "bob", "cy", "dee", "eve", null),
              // Sometimes dated at or after `now`.
              future: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
              // Reuses an earlier event_id: the row already there wins.
              reuse: fc.option(fc.nat(), { freq: 6 }),
            }),
            { maxLength: 12 },
          ),
        }),
      },
      fc.record({ kind: fc.constant("add" as const), repo: fc.constantFrom(...REPOS) }),
      fc.record({ kind: fc.constant("remove" as const), repo: fc.constantFrom(...REPOS) }),
      fc.record({ kind: fc.constant("rename" as const), repo: fc.constantFrom(...REPOS) }),
      fc.record({ kind: fc.constant("delete" as const), index: fc.nat() }),
    );
    let fromRollup = 0;
    await fc.assert(
      fc.asyncProperty(
        // `now` anywhere in its hour: the window start is cut from below (first half) or
        // from above (second half), or falls on the hour.
        fc
          .tuple(
            fc.integer({ min: 0, max: 365 * 24 }),
            fc.oneof(
              fc.constantFrom(0, 1, 600_000, 1_800_000, 1_800_001, 2_700_000, 3_599_999),
              fc.integer({ min: 0, max: 3_599_999 }),
            ),
          )
          .map(([hours, ms]) => Date.parse("2024-01-01T00:00:00Z") + hours * 3_600_000 + ms),
        fc.constantFrom(1, 2, 7, 30),
        fc.subarray([...REPOS]),
        fc.array(step, { maxLength: 10 }),
        async (now, days, initial, steps) => {
          await db.query("truncate github_events_cache, workspaces cascade");
          await addWorkspace(db, 7, []);
          const members = new Map<string, string>(); // key → spelling in the workspace
          const addRepo = async (repo: string) => {
            const key = repo.toLowerCase();
            if (members.has(key)) return;
            const [owner, name] = repo.split("/");
            await db.query(
              `insert into workspace_repositories (installation_id, repository_id, owner, name)
               values (7, $1::bigint, $2::text, $3::text)`,
              [++repositoryId, owner, name],
            );
            members.set(key, repo);
          };
          for (const repo of initial) await addRepo(repo);
          // A repository of another workspace sharing a repository: never counted here.
          await addWorkspace(db, 8, [
            { owner: "octo", name: "a" },
            { owner: "zed", name: "z" },
          ]);

          const present = new Map<string, TestEvent>();
          const sent: string[] = [];
          let deleted = false;
          const edges = [now, now - days * DAY, now - 2 * days * DAY];
          for (const s of steps) {
            if (s.kind === "insert") {
              const batch: TestEvent[] = s.events.map((e) => {
                const [owner, name] = e.repo.split("/");
                const reused = e.reuse !== null && sent.length > 0;
                return {
                  id: reused ? sent[e.reuse! % sent.length]! : String(++id),
                  type: "WatchEvent",
                  actor: e.actor,
                  owner,
                  name,
                  at: iso(
                    edges[e.edge]! +
                      (e.edge === 0
                        ? e.future
                          ? Math.abs(e.offset)
                          : -Math.abs(e.offset) - 1
                        : e.offset),
                  ),
                };
              });
              const unique = batch.filter((e, i) => batch.findIndex((o) => o.id === e.id) === i);
              // One statement may not name an event_id twice; gh-datapipe's do not either.
              if (unique.length > 0) await insertEvents(db, unique);
              for (const e of unique) {
                if (!present.has(e.id)) present.set(e.id, e);
                sent.push(e.id);
              }
              // Also rows of repositories in no workspace.
              await insertEvents(db, [
                { id: String(++id), owner: "nobody", name: "x", actor: "ann", at: iso(now - 1) },
              ]);
            } else if (s.kind === "add") {
              await addRepo(s.repo);
            } else if (s.kind === "remove") {
              const key = s.repo.toLowerCase();
              await db.query(
                `delete from workspace_repositories
                  where installation_id = 7 and lower(owner) = $1::text and lower(name) = $2::text`,
                key.split("/"),
              );
              members.delete(key);
            } else if (s.kind === "rename") {
              // The repository is now called what another of the pool is called.
              const key = s.repo.toLowerCase();
              const to = REPOS.find((r) => !members.has(r.toLowerCase()));
              if (!members.has(key) || to === undefined) continue;
              const [owner, name] = to.split("/");
              await db.query(
                `update workspace_repositories set owner = $3::text, name = $4::text
                  where installation_id = 7 and lower(owner) = $1::text and lower(name) = $2::text`,
                [...key.split("/"), owner, name],
              );
              members.delete(key);
              members.set(to.toLowerCase(), to);
            } else {
              const ids = [...present.keys()];
              if (ids.length === 0) continue;
              const victim = ids[s.index % ids.length]!;
              await db.query("delete from github_events_cache where event_id = $1::text", [victim]);
              present.delete(victim);
              deleted = true;
            }
          }
          // Refreshed GitHub counts change no repository: nothing to rebuild, nothing lost.
          await db.query(
            "update workspace_repositories set stargazers_count = 1 where installation_id = 7",
          );

          const live = [...present.values()].filter((e) =>
            members.has(`${e.owner}/${e.name}`.toLowerCase()),
          );
          const cur = now - days * DAY;
          const want = new Set(
            live
              .filter((e) => e.actor != null && Date.parse(e.at) >= cur && Date.parse(e.at) < now)
              .map((e) => e.actor!.toLowerCase()),
          ).size;
          const m = await getWorkspaceMetrics(db, 7, { now: new Date(now), days });
          expect(m!.activity.uniqueActors).toBe(want);
          if (!deleted) fromRollup++;

          if (!deleted) {
            const last = new Map<string, number>();
            for (const e of live) {
              if (e.actor == null) continue;
              const key = e.actor.toLowerCase();
              last.set(key, Math.max(last.get(key) ?? 0, Date.parse(e.at)));
            }
            const { rows } = await db.query<{ actor_key: string; last_at: string }>(
              `select actor_key, to_char(last_at at time zone 'UTC',
                                         'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as last_at
                 from workspace_actor_last_seen where installation_id = 7 order by actor_key`,
            );
            expect(rows).toEqual(
              [...last.entries()]
                .sort(([a], [b]) => (a < b ? -1 : 1))
                .map(([actor_key, t]) => ({ actor_key, last_at: iso(t) })),
            );
            const hours = new Map<string, number>();
            for (const t of last.values()) {
              const hour = iso(Math.floor(t / 3_600_000) * 3_600_000);
              hours.set(hour, (hours.get(hour) ?? 0) + 1);
            }
            const histogram = await db.query<{ hour: string; actors: number }>(
              `select to_char(hour at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as hour,
                      actors
                 from workspace_actor_hours where installation_id = 7 and actors <> 0
                order by hour`,
            );
            expect(histogram.rows).toEqual(
              [...hours.entries()].sort().map(([hour, actors]) => ({ hour, actors })),
            );
          }
        },
      ),
      { numRuns: 60 },
    );
    // Most runs must take the rollup's way, not the event-by-event fallback.
    expect(fromRollup).toBeGreaterThan(30);
  });

  it("answer from the workspace rollup, events after `now` included, until a removal", async () => {
    await db.query("truncate github_events_cache, workspaces cascade");
    await addWorkspace(db, 9, [
      { owner: "octo", name: "a" },
      { owner: "octo", name: "b" },
    ]);
    const now = Date.parse("2024-06-30T12:40:00Z");
    await insertEvents(db, [
      { id: "w1", actor: "ann", owner: "octo", name: "a", at: iso(now - 30 * DAY) },
      { id: "w2", actor: "ann", owner: "octo", name: "b", at: iso(now - DAY) },
      { id: "w3", actor: "bob", owner: "octo", name: "b", at: iso(now - 30 * DAY - 1) },
    ]);
    const actors = async () =>
      (await getWorkspaceMetrics(db, 9, { now: new Date(now) }))!.activity.uniqueActors;
    expect(await actors()).toBe(1);
    // Proof of which way the answer is counted: a histogram off by 100 shows in it.
    await db.query(
      "update workspace_actor_hours set actors = actors + 100 where installation_id = 9",
    );
    expect(await actors()).toBe(101);
    // Last seen after `now` and nowhere in the window: not counted.
    await insertEvents(db, [{ id: "w4", actor: "cy", owner: "octo", name: "a", at: iso(now) }]);
    expect(await actors()).toBe(101);
    // … in the window in a repository without events after `now`.
    await insertEvents(db, [
      { id: "w5", actor: "cy", owner: "octo", name: "b", at: iso(now - 3_600_000) },
    ]);
    expect(await actors()).toBe(102);
    // … in the window in the repository that has them.
    await insertEvents(db, [
      { id: "w6", actor: "dee", owner: "octo", name: "a", at: iso(now - 7_200_000) },
      { id: "w7", actor: "dee", owner: "octo", name: "a", at: iso(now + 5) },
    ]);
    expect(await actors()).toBe(103);
    // A deleted event that was an actor's last: counted event by event.
    await db.query("delete from github_events_cache where event_id = 'w4'");
    expect(await actors()).toBe(3);
  });
});
