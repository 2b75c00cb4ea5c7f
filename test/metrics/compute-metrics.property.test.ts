import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { foldMetrics, reconcileMetricsMembers } from "../../src/metrics/fold-metrics.js";
import { getRepositoriesMetrics } from "../../src/metrics/get-repositories-metrics.js";
import { getWorkspaceMetrics } from "../../src/metrics/get-workspace-metrics.js";
import { createTestDb } from "../helpers/db.js";
import { addWorkspace, insertEvents, insertHistory, type TestEvent } from "./fixtures.js";

const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();
const TYPES = ["WatchEvent", "ForkEvent", "IssuesEvent"] as const;

interface History {
  stars: { from: string; to: string } | null;
  forks: { from: string; to: string } | null;
  days: Map<string, { stars: number; forks: number }>;
}

const dateOf = (t: number) => iso(t).slice(0, 10);
const addDays = (date: string, n: number) => dateOf(Date.parse(`${date}T00:00:00Z`) + n * DAY);

/**
 * The figures by the definition (contract §6), event by event and date by date: the oracle
 * the rollups, the tail and GitHub's days must agree with.
 */
function expected(
  events: TestEvent[],
  histories: Record<string, History | undefined>,
  now: number,
  days: number,
  timelineDates: string[],
) {
  const cur = now - days * DAY;
  const prev = now - 2 * days * DAY;
  const today = dateOf(now);
  const inRange = (t: number, a: number, b: number) => t >= a && t < b;
  const per = (repo: string) => {
    const mine = events.filter((e) => `${e.owner}/${e.name}`.toLowerCase() === repo);
    const h = histories[repo];
    const covered = (kind: "stars" | "forks", date: string) => {
      const c = h?.[kind];
      return c != null && c.from <= date && date <= c.to;
    };
    // Events of [a, b) on dates GitHub does not cover, GitHub's covered dates in [from, to].
    const figure = (kind: "stars" | "forks", a: number, b: number, from: string, to: string) => {
      const type = kind === "stars" ? "WatchEvent" : "ForkEvent";
      let n = mine.filter(
        (e) =>
          e.type === type && inRange(Date.parse(e.at), a, b) && !covered(kind, e.at.slice(0, 10)),
      ).length;
      for (let d = from; d <= to; d = addDays(d, 1)) {
        if (covered(kind, d)) n += h?.days.get(d)?.[kind] ?? 0;
      }
      return n;
    };
    const windows = (kind: "stars" | "forks") => [
      figure(kind, cur, now, addDays(today, -(days - 1)), today),
      figure(kind, prev, cur, addDays(today, -(2 * days - 1)), addDays(today, -days)),
    ];
    const weeks = (kind: "stars" | "forks") => [
      figure(kind, now - 7 * DAY, now, addDays(today, -6), today),
      figure(kind, now - 14 * DAY, now - 7 * DAY, addDays(today, -13), addDays(today, -7)),
    ];
    const source = (kind: "stars" | "forks") => {
      const used = new Set<string>();
      for (let d = addDays(today, -(2 * days - 1)); d <= today; d = addDays(d, 1)) {
        used.add(covered(kind, d) ? "github" : "events");
      }
      if (!covered(kind, addDays(today, -2 * days))) used.add("events");
      return used.size === 2 ? "mixed" : [...used][0];
    };
    const timeline = new Map<string, number>();
    for (const date of timelineDates) {
      const next = addDays(date, 1);
      const a = Math.max(cur, Date.parse(`${date}T00:00:00Z`));
      const b = Math.min(now, Date.parse(`${next}T00:00:00Z`));
      const inWindow = date >= addDays(today, -(days - 1)) && date <= today;
      const n = figure("stars", a, b, inWindow ? date : next, inWindow ? date : date);
      if (n > 0) timeline.set(date, n);
    }
    const activeDays = new Set(
      mine.filter((e) => inRange(Date.parse(e.at), prev, now)).map((e) => e.at.slice(0, 10)),
    );
    // The longest run of dates without an event in the span's dates, leading and trailing.
    let run = 0;
    let longestGapDays = 0;
    for (let d = dateOf(prev); d <= dateOf(now - 1); d = addDays(d, 1)) {
      run = activeDays.has(d) ? 0 : run + 1;
      longestGapDays = Math.max(longestGapDays, run);
    }
    const [starsThisWeek, starsLastWeek] = weeks("stars");
    const [forksThisWeek, forksLastWeek] = weeks("forks");
    return {
      stars: windows("stars"),
      forks: windows("forks"),
      thisWeek: [starsThisWeek, forksThisWeek],
      lastWeek: [starsLastWeek, forksLastWeek],
      sources: [source("stars"), source("forks")],
      starEvents: mine.filter((e) => e.type === "WatchEvent").length,
      daysWithEvents: activeDays.size,
      longestGapDays,
      hasPreviousWindow: mine.some((e) => inRange(Date.parse(e.at), prev, cur)),
      totalEvents: mine.filter((e) => inRange(Date.parse(e.at), cur, now)).length,
      timeline,
    };
  };
  const asked = (e: TestEvent) =>
    ["octo/a", "octo/b"].includes(`${e.owner}/${e.name}`.toLowerCase());
  const actors = new Set(
    events
      .filter((e) => e.actor != null && asked(e) && inRange(Date.parse(e.at), cur, now))
      .map((e) => e.actor!.toLowerCase()),
  );
  return { a: per("octo/a"), b: per("octo/b"), uniqueActors: actors.size };
}

const coverage = fc.option(
  fc.record({ from: fc.integer({ min: -70, max: 2 }), length: fc.integer({ min: 0, max: 70 }) }),
  { freq: 2 },
);
const history = fc.option(
  fc.record({
    stars: coverage,
    forks: coverage,
    days: fc.array(
      fc.record({
        offset: fc.integer({ min: -70, max: 1 }),
        stars: fc.nat({ max: 5 }),
        forks: fc.nat({ max: 5 }),
      }),
      { maxLength: 25 },
    ),
  }),
  { freq: 2 },
);

describe("metrics against an event-by-event count", () => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db.close();
  });

  /**
   * Events arrive in two batches (the second repeating some event_ids: the row already
   * there wins), folds happen between any two steps or not at all (answers read the tail),
   * folded and unfolded rows are deleted or moved a day back, and GitHub's figures cover
   * some dates of either repository: every figure and its source as the definition says.
   */
  it("agree for any instant, window, events, folds and GitHub days, edges included", async () => {
    let id = 0;
    const spec = fc.record({
      edge: fc.constantFrom(0, 1, 2, 7, 14, 60),
      offset: fc.oneof(
        fc.constantFrom(-1, 0, 1, -30_000, 30_000, -60_000, 60_000, -3_600_000, 3_600_000),
        fc.integer({ min: -3 * DAY, max: 3 * DAY }),
      ),
      type: fc.constantFrom(...TYPES),
      owner: fc.constantFrom("octo", "Octo", "OCTO"),
      name: fc.constantFrom("a", "b", "B", "c"),
      actor: fc.constantFrom("ann", "Ann", "bob", "cy", "dee", null),
      reuse: fc.option(fc.nat(), { freq: 5 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({
          min: Date.parse("2024-01-01T00:00:00Z"),
          max: Date.parse("2024-12-31T00:00:00Z"),
        }),
        fc.constantFrom(1, 2, 7, 10, 30),
        fc.array(spec, { maxLength: 30 }),
        fc.array(spec, { maxLength: 15 }),
        // Events removed again after counting (deleted, or moved a day back by an update).
        fc.array(fc.record({ index: fc.nat(), move: fc.boolean(), fold: fc.boolean() }), {
          maxLength: 4,
        }),
        fc.record({ a: history, b: history }),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        // The usual tail: events after the latest one so far, as gh-datapipe appends them.
        fc.array(
          fc.record({
            after: fc.oneof(fc.constantFrom(0, 1, 3_600_000), fc.integer({ min: 0, max: 3 * DAY })),
            type: fc.constantFrom(...TYPES),
            name: fc.constantFrom("a", "b"),
          }),
          { maxLength: 4 },
        ),
        async (now, days, first, second, removals, githubs, folds, late) => {
          await db.query(
            "truncate github_events_cache, github_history_coverage, github_daily_counts",
          );
          const edges: Record<number, number> = {
            0: now,
            1: now - days * DAY,
            2: now - 2 * days * DAY,
            7: now - 7 * DAY,
            14: now - 14 * DAY,
            60: now - 20 * DAY,
          };
          const histories: Record<string, History | undefined> = {};
          for (const [key, h] of Object.entries(githubs)) {
            if (h === null) continue;
            const range = (c: { from: number; length: number } | null) =>
              c === null
                ? null
                : {
                    from: addDays(dateOf(now), c.from),
                    to: addDays(dateOf(now), c.from + c.length),
                  };
            const dayMap = new Map<string, { stars: number; forks: number }>();
            for (const d of h.days) dayMap.set(addDays(dateOf(now), d.offset), d);
            const built: History = { stars: range(h.stars), forks: range(h.forks), days: dayMap };
            histories[`octo/${key}`] = built;
            await insertHistory(db, {
              owner: "octo",
              name: key,
              stars: built.stars,
              forks: built.forks,
              days: [...dayMap.entries()].map(([day, v]) => ({ day, ...v })),
            });
          }
          const present = new Map<string, TestEvent>();
          const sent: string[] = [];
          const insert = async (batch: typeof first) => {
            const events = batch.map((s) => ({
              id: s.reuse !== null && sent.length > 0 ? sent[s.reuse % sent.length]! : String(++id),
              type: s.type,
              actor: s.actor,
              owner: s.owner,
              name: s.name,
              at: iso(edges[s.edge]! + s.offset),
            }));
            // One statement may not name an event_id twice; gh-datapipe's do not either.
            const unique = events.filter((e, i) => events.findIndex((o) => o.id === e.id) === i);
            if (unique.length > 0) await insertEvents(db, unique);
            for (const e of unique) {
              if (!present.has(e.id)) present.set(e.id, e);
              sent.push(e.id);
            }
          };
          await insert(first);
          if (folds[0]) await foldMetrics(db);
          await insert(second);
          if (folds[1]) await foldMetrics(db);
          for (const { index, move, fold } of removals) {
            if (present.size === 0) break;
            if (fold) await foldMetrics(db);
            const event = [...present.values()][index % present.size]!;
            if (move) {
              await db.query(
                `update github_events_cache set created_at = created_at - interval '1 day'
                  where event_id = $1::text`,
                [event.id],
              );
              event.at = iso(Date.parse(event.at) - DAY);
            } else {
              await db.query("delete from github_events_cache where event_id = $1::text", [
                event.id,
              ]);
              present.delete(event.id);
            }
          }
          if (folds[2]) await foldMetrics(db);
          let latest = Math.max(
            now - 2 * days * DAY,
            ...[...present.values()].map((e) => Date.parse(e.at)),
          );
          const appended = late.map((l) => {
            latest += l.after;
            return {
              id: String(++id),
              type: l.type,
              actor: "ann",
              owner: "octo",
              name: l.name,
              at: iso(latest),
            };
          });
          if (appended.length > 0) await insertEvents(db, appended);
          for (const e of appended) present.set(e.id, e);
          const m = await getRepositoriesMetrics(db, ["octo/a", "octo/b"], {
            now: new Date(now),
            days,
          });
          const want = expected(
            [...present.values()],
            histories,
            now,
            days,
            m.timeline.map((d) => d.date),
          );
          const timeline = new Map<string, number>();
          for (const [i, key] of (["a", "b"] as const).entries()) {
            const got = m.repositories[i]!;
            const w = want[key];
            expect([got.stars.current, got.stars.previous]).toEqual(w.stars);
            expect([got.forks.current, got.forks.previous]).toEqual(w.forks);
            expect([got.thisWeek.stars, got.thisWeek.forks]).toEqual(w.thisWeek);
            expect([got.lastWeek.stars, got.lastWeek.forks]).toEqual(w.lastWeek);
            expect([got.stars.source, got.forks.source]).toEqual(w.sources);
            expect(got.stars.total).toBe(w.starEvents);
            expect(got.coverage.daysWithEvents).toBe(w.daysWithEvents);
            expect(got.coverage.longestGapDays).toBe(w.longestGapDays);
            expect(got.coverage.hasPreviousWindow).toBe(w.hasPreviousWindow);
            expect(got.totalEvents).toBe(w.totalEvents);
            for (const [d, n] of w.timeline) timeline.set(d, (timeline.get(d) ?? 0) + n);
          }
          const combined = (k: 0 | 1) => {
            const s = new Set([want.a.sources[k], want.b.sources[k]]);
            return s.size === 1 ? [...s][0] : "mixed";
          };
          expect([m.stars.source, m.forks.source]).toEqual([combined(0), combined(1)]);
          expect(m.timeline.filter((d) => d.stars > 0).map((d) => [d.date, d.stars])).toEqual(
            [...timeline.entries()].sort(),
          );
          expect(m.activity.uniqueActors).toBe(want.uniqueActors);
          expect([m.stars.current, m.stars.previous, m.forks.current, m.forks.previous]).toEqual([
            want.a.stars[0]! + want.b.stars[0]!,
            want.a.stars[1]! + want.b.stars[1]!,
            want.a.forks[0]! + want.b.forks[0]!,
            want.a.forks[1]! + want.b.forks[1]!,
          ]);
          expect(m.activity.totalEvents).toBe(want.a.totalEvents + want.b.totalEvents);
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
      { weight: 2, arbitrary: fc.record({ kind: fc.constant("fold" as const) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant("reconcile" as const) }) },
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
            } else if (s.kind === "fold") {
              await foldMetrics(db);
            } else if (s.kind === "reconcile") {
              await reconcileMetricsMembers(db);
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
          // Whatever was folded or reconciled so far: the tail and the exact fallback fill in.
          const m = await getWorkspaceMetrics(db, 7, { now: new Date(now), days });
          expect(m!.activity.uniqueActors).toBe(want);
          // Everything folded and reconciled: the same answer, from the rollup when nothing
          // was deleted.
          await foldMetrics(db);
          await reconcileMetricsMembers(db);
          const again = await getWorkspaceMetrics(db, 7, { now: new Date(now), days });
          expect(again!.activity.uniqueActors).toBe(want);
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

  it("answer from the workspace rollup, tail and events after `now` included, until a removal", async () => {
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
    expect(await foldMetrics(db)).toBe(3);
    // Workspace 9 joins; the members of workspaces the reset above emptied leave.
    expect(await reconcileMetricsMembers(db)).toBeGreaterThanOrEqual(2);
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
    // Folded, the same: the histogram moves with the new last events.
    expect(await foldMetrics(db)).toBe(4);
    expect(await actors()).toBe(103);
    // A deleted event that was an actor's last: counted event by event.
    await db.query("delete from github_events_cache where event_id = 'w4'");
    expect(await actors()).toBe(3);
    // A repository added: until reconciled, counted the exact slower way; then the rollup.
    await db.query(
      `insert into workspace_repositories (installation_id, repository_id, owner, name)
       values (9, 99, 'octo', 'c')`,
    );
    await insertEvents(db, [
      { id: "w8", actor: "eve", owner: "octo", name: "c", at: iso(now - DAY) },
    ]);
    expect(await actors()).toBe(4);
  });
});
