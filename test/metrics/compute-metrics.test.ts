import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { foldMetrics } from "../../src/metrics/fold-metrics.js";
import { getRepositoriesMetrics } from "../../src/metrics/get-repositories-metrics.js";
import { getWorkspaceMetrics } from "../../src/metrics/get-workspace-metrics.js";
import { createTestDb, resetDb } from "../helpers/db.js";
import { addWorkspace, daysBefore, insertEvents } from "./fixtures.js";

describe("workspace metrics", () => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await resetDb(db);
  });

  it("counts events on the window edges into the right window (midnight)", async () => {
    await addWorkspace(db, 1, [{ owner: "octo", name: "a", stars: 120 }]);
    await insertEvents(db, [
      { id: "s1", at: "2024-03-01T00:00:00.000Z" },
      { id: "s2", at: "2024-02-29T23:59:59.999Z" },
      { id: "s3", at: "2024-01-31T00:00:00.000Z" },
      { id: "s4", at: "2024-01-30T23:59:59.999Z" },
      { id: "s5", at: "2024-03-31T00:00:00.000Z" },
      { id: "s6", at: "2024-03-24T00:00:00.000Z" },
      { id: "s7", at: "2024-03-23T23:59:59.999Z" },
      { id: "f1", type: "ForkEvent", at: "2024-03-30T23:59:59.999Z" },
    ]);
    const m = await getWorkspaceMetrics(db, 1, { now: new Date("2024-03-31T00:00:00Z") });
    expect(m).not.toBeNull();
    expect(m!.window).toEqual({
      days: 30,
      previousStart: "2024-01-31T00:00:00.000Z",
      currentStart: "2024-03-01T00:00:00.000Z",
      end: "2024-03-31T00:00:00.000Z",
    });
    expect(m!.stars).toEqual({
      total: 120,
      current: 3,
      previous: 2,
      velocity: 0.1,
      previousVelocity: 0.07,
      percentChange: 50,
      trend: "up",
      source: "events",
    });
    expect(m!.forks).toEqual({
      total: 1,
      current: 1,
      previous: 0,
      velocity: 0.03,
      previousVelocity: 0,
      percentChange: null,
      trend: "up",
      source: "events",
    });
    expect(m!.thisWeek).toEqual({ stars: 1, forks: 1 });
    expect(m!.lastWeek).toEqual({ stars: 1, forks: 0 });
    expect(m!.timeline).toHaveLength(30);
    expect(m!.timeline[0]).toEqual({ date: "2024-03-01", stars: 1, forks: 0, total: 1 });
    expect(m!.timeline.at(-1)).toEqual({ date: "2024-03-30", stars: 0, forks: 1, total: 1 });
    expect(m!.timeline.filter((d) => d.total > 0).map((d) => d.date)).toEqual([
      "2024-03-01",
      "2024-03-23",
      "2024-03-24",
      "2024-03-30",
    ]);
    expect(m!.activity).toEqual({ totalEvents: 4, uniqueActors: 4, mostActiveRepo: "octo/a" });
    expect(m!.coverage).toEqual([
      {
        repository: "octo/a",
        firstEvent: "2024-01-30T23:59:59.999Z",
        lastEvent: "2024-03-31T00:00:00.000Z",
        daysWithEvents: 6,
        spanDays: 60,
        longestGapDays: 28,
        hasPreviousWindow: true,
        needsBackfill: true,
      },
    ]);
  });

  it("cuts windows at any instant, to the millisecond, and clips the timeline to them", async () => {
    await addWorkspace(db, 1, [{ owner: "octo", name: "a" }]);
    await insertEvents(db, [
      { id: "a", at: "2024-03-24T13:45:30.250Z" },
      { id: "b", at: "2024-03-24T13:45:30.249Z" },
      { id: "c", at: "2024-03-17T13:45:30.250Z" },
      { id: "d", at: "2024-03-17T13:45:30.249Z" },
      { id: "e", at: "2024-03-31T13:45:30.249Z" },
      { id: "f", at: "2024-03-31T13:45:30.250Z" },
      { id: "g", at: "2024-03-24T13:00:00.000Z" },
      { id: "h", at: "2024-03-24T14:00:00.000Z" },
      { id: "i", at: "2024-03-24T12:59:59.999Z" },
      { id: "j", at: "2024-03-28T05:00:00.000Z" },
    ]);
    const m = await getWorkspaceMetrics(db, 1, {
      days: 7,
      now: new Date("2024-03-31T13:45:30.250Z"),
    });
    expect(m!.stars).toMatchObject({ total: 10, current: 4, previous: 4, percentChange: 0 });
    expect(m!.stars.trend).toBe("stable");
    expect(m!.thisWeek).toEqual({ stars: 4, forks: 0 });
    expect(m!.lastWeek).toEqual({ stars: 4, forks: 0 });
    expect(m!.timeline.map((d) => [d.date, d.stars])).toEqual([
      ["2024-03-24", 2],
      ["2024-03-25", 0],
      ["2024-03-26", 0],
      ["2024-03-27", 0],
      ["2024-03-28", 1],
      ["2024-03-29", 0],
      ["2024-03-30", 0],
      ["2024-03-31", 1],
    ]);
    expect(m!.coverage[0]).toMatchObject({ daysWithEvents: 4, spanDays: 15, longestGapDays: 6 });
  });

  it("puts events a fraction of a millisecond from an edge on their side of it", async () => {
    await addWorkspace(db, 1, [{ owner: "octo", name: "a" }]);
    // Edges at 13:45:30.250: C on the 24th, N on the 31st. Stars folded and unfolded.
    await insertEvents(db, [
      { id: "c-before", at: "2024-03-24T13:45:30.249999Z" },
      { id: "c-at", at: "2024-03-24T13:45:30.250000Z" },
      { id: "c-after", at: "2024-03-24T13:45:30.250400Z" },
      { id: "n-before", at: "2024-03-31T13:45:30.249600Z" },
      { id: "n-after", at: "2024-03-31T13:45:30.250001Z" },
    ]);
    await foldMetrics(db);
    await insertEvents(db, [
      { id: "tail-c-before", at: "2024-03-24T13:45:30.249001Z" },
      { id: "tail-n-before", at: "2024-03-31T13:45:30.249999Z" },
    ]);
    const m = await getWorkspaceMetrics(db, 1, {
      days: 7,
      now: new Date("2024-03-31T13:45:30.250Z"),
    });
    expect(m!.stars).toMatchObject({ current: 4, previous: 2 });
    expect(m!.timeline.map((d) => [d.date, d.stars])).toEqual([
      ["2024-03-24", 2],
      ["2024-03-25", 0],
      ["2024-03-26", 0],
      ["2024-03-27", 0],
      ["2024-03-28", 0],
      ["2024-03-29", 0],
      ["2024-03-30", 0],
      ["2024-03-31", 2],
    ]);
  });
  it("matches mixed-case owner names and counts each event_id once", async () => {
    await addWorkspace(db, 7, [{ owner: "octo-org", name: "repo" }]);
    const now = "2024-05-01T00:00:00Z";
    const first = await insertEvents(db, [
      { id: "1", owner: "Octo-Org", name: "Repo", at: daysBefore(now, 1) },
      { id: "2", owner: "OCTO-ORG", name: "repo", at: daysBefore(now, 2) },
      { id: "2", owner: "OCTO-ORG", name: "repo", at: daysBefore(now, 2) },
      { id: "3", owner: "octo-org", name: "REPO", at: daysBefore(now, 40), actor: "USER-1" },
    ]);
    const again = await insertEvents(db, [
      { id: "1", owner: "Octo-Org", name: "Repo", at: daysBefore(now, 1) },
      { id: "3", owner: "octo-org", name: "REPO", at: daysBefore(now, 40) },
    ]);
    expect([first, again]).toEqual([3, 0]);
    const m = await getWorkspaceMetrics(db, 7, { now: new Date(now) });
    expect(m!.stars).toMatchObject({ total: 3, current: 2, previous: 1, percentChange: 100 });
    expect(m!.repositories.map((r) => r.repository)).toEqual(["octo-org/repo"]);
    // user-1 and USER-1 are one GitHub login, but only user-1 acted in the current window.
    expect(m!.activity).toEqual({
      totalEvents: 2,
      uniqueActors: 2,
      mostActiveRepo: "octo-org/repo",
    });
  });

  it("gives no percentage and asks for a back-fill when the previous window is empty", async () => {
    await addWorkspace(db, 2, [
      { owner: "octo", name: "new", stars: 5, forks: 2 },
      { owner: "octo", name: "steady" },
    ]);
    const now = "2024-05-01T00:00:00Z";
    const steady = Array.from({ length: 60 }, (_, i) => ({
      id: `steady-${i}`,
      name: "steady",
      actor: "same-person",
      at: daysBefore(now, i + 0.5),
    }));
    await insertEvents(db, [
      { id: "n1", name: "new", at: daysBefore(now, 3) },
      { id: "n2", name: "new", type: "ForkEvent", at: daysBefore(now, 2) },
      ...steady,
    ]);
    const m = await getWorkspaceMetrics(db, 2, { now: new Date(now) });
    const [fresh, old] = m!.repositories;
    expect(fresh!.stars).toEqual({
      total: 5,
      current: 1,
      previous: 0,
      velocity: 0.03,
      previousVelocity: 0,
      percentChange: null,
      trend: "up",
      source: "events",
    });
    expect(fresh!.forks).toMatchObject({ total: 2, current: 1, percentChange: null });
    expect(fresh!.coverage).toMatchObject({
      daysWithEvents: 2,
      longestGapDays: 57,
      hasPreviousWindow: false,
      needsBackfill: true,
    });
    expect(old!.stars).toMatchObject({ total: 60, current: 30, previous: 30, percentChange: 0 });
    expect(old!.coverage).toMatchObject({
      daysWithEvents: 60,
      spanDays: 60,
      longestGapDays: 0,
      hasPreviousWindow: true,
      needsBackfill: false,
    });
    expect(m!.stars).toMatchObject({ total: 65, current: 31, previous: 30, percentChange: 3 });
    expect(m!.activity).toEqual({
      totalEvents: 32,
      uniqueActors: 3,
      mostActiveRepo: "octo/steady",
    });
  });

  it("finds the longest gap inside the span, leading and trailing runs included", async () => {
    await addWorkspace(db, 3, [{ owner: "octo", name: "gappy" }]);
    const now = "2024-05-01T00:00:00Z";
    // Span: 2024-03-02 .. 2024-04-30 (60 days). Events on span days 10, 11 and 50.
    await insertEvents(db, [
      { id: "g1", name: "gappy", at: "2024-03-11T12:00:00Z" },
      { id: "g2", name: "gappy", at: "2024-03-12T12:00:00Z" },
      { id: "g3", name: "gappy", at: "2024-04-20T12:00:00Z" },
    ]);
    const m = await getWorkspaceMetrics(db, 3, { now: new Date(now) });
    expect(m!.coverage[0]).toMatchObject({
      daysWithEvents: 3,
      longestGapDays: 38,
      hasPreviousWindow: true,
      needsBackfill: true,
    });
    const trailing = await getWorkspaceMetrics(db, 3, {
      days: 10,
      now: new Date("2024-04-21T00:00:00Z"),
    });
    // Span 2024-04-01 .. 2024-04-20: one active day, the last; leading gap 19 days.
    expect(trailing!.coverage[0]).toMatchObject({ daysWithEvents: 1, longestGapDays: 19 });
  });

  it("merges unfolded events into the coverage figures, after and between folded days", async () => {
    // Span 2024-03-04 .. 2024-03-10 (3 days each window, P at noon on the 4th).
    const coverage = async () => {
      const m = await getRepositoriesMetrics(db, ["octo/a"], {
        now: new Date("2024-03-10T12:00:00Z"),
        days: 3,
      });
      const { daysWithEvents, longestGapDays } = m.coverage[0]!;
      return { daysWithEvents, longestGapDays };
    };
    await insertEvents(db, [
      { id: "f1", at: "2024-03-05T10:00:00Z" },
      { id: "f2", at: "2024-03-08T10:00:00Z" },
    ]);
    expect(await foldMetrics(db)).toBe(2);
    expect(await coverage()).toEqual({ daysWithEvents: 2, longestGapDays: 2 });
    // Unfolded: one on the last folded day, one after it; the 9th is new.
    await insertEvents(db, [
      { id: "t1", at: "2024-03-08T11:00:00Z" },
      { id: "t2", at: "2024-03-09T11:00:00Z" },
    ]);
    expect(await coverage()).toEqual({ daysWithEvents: 3, longestGapDays: 2 });
    // Unfolded, between folded days: the 6th splits the gap of the 6th and 7th.
    await insertEvents(db, [{ id: "t3", at: "2024-03-06T11:00:00Z" }]);
    expect(await coverage()).toEqual({ daysWithEvents: 4, longestGapDays: 1 });
    // Folded, the same figures from the rollups alone.
    expect(await foldMetrics(db)).toBe(3);
    expect(await coverage()).toEqual({ daysWithEvents: 4, longestGapDays: 1 });
  });

  it("answers an empty workspace with zeros and a zero-filled timeline", async () => {
    await addWorkspace(db, 4, []);
    const m = await getWorkspaceMetrics(db, 4, { now: new Date("2024-05-01T00:00:00Z") });
    expect(m!.stars).toEqual({
      total: 0,
      current: 0,
      previous: 0,
      velocity: 0,
      previousVelocity: 0,
      percentChange: null,
      trend: "stable",
      source: "events",
    });
    expect(m!.timeline).toHaveLength(30);
    expect(m!.timeline.every((d) => d.total === 0)).toBe(true);
    expect(m!.activity).toEqual({ totalEvents: 0, uniqueActors: 0, mostActiveRepo: null });
    expect(m!.coverage).toEqual([]);
  });

  it("fills a 90-day timeline with zero days", async () => {
    await addWorkspace(db, 5, [
      { owner: "octo", name: "a" },
      { owner: "octo", name: "b" },
    ]);
    await insertEvents(db, [
      { id: "1", at: "2024-03-03T00:00:00Z" },
      { id: "2", name: "b", at: "2024-03-03T23:59:59Z" },
      { id: "3", type: "ForkEvent", name: "b", at: "2024-04-15T08:00:00Z" },
      { id: "4", at: "2024-05-31T23:00:00Z" },
      { id: "5", type: "IssuesEvent", at: "2024-05-31T23:00:00Z" },
    ]);
    const m = await getWorkspaceMetrics(db, 5, { days: 90, now: new Date("2024-06-01T00:00:00Z") });
    expect(m!.timeline).toHaveLength(90);
    expect(m!.timeline[0]).toEqual({ date: "2024-03-03", stars: 2, forks: 0, total: 2 });
    expect(m!.timeline.at(-1)).toEqual({ date: "2024-05-31", stars: 1, forks: 0, total: 1 });
    expect(m!.timeline.filter((d) => d.total > 0)).toEqual([
      { date: "2024-03-03", stars: 2, forks: 0, total: 2 },
      { date: "2024-04-15", stars: 0, forks: 1, total: 1 },
      { date: "2024-05-31", stars: 1, forks: 0, total: 1 },
    ]);
    expect(m!.activity).toEqual({ totalEvents: 5, uniqueActors: 5, mostActiveRepo: "octo/a" });
  });

  it("sees rows deleted or changed after they were counted", async () => {
    await addWorkspace(db, 6, [{ owner: "octo", name: "a" }]);
    const now = "2024-05-01T00:00:00Z";
    await insertEvents(db, [
      { id: "1", at: daysBefore(now, 1) },
      { id: "2", at: daysBefore(now, 2) },
      { id: "3", at: daysBefore(now, 40) },
    ]);
    // Folded into the rollups first: the triggers then take the removals out of them.
    expect(await foldMetrics(db)).toBe(3);
    await db.query("delete from github_events_cache where event_id = '2'");
    await db.query(
      "update github_events_cache set created_at = created_at - interval '30 days' where event_id = '1'",
    );
    const m = await getWorkspaceMetrics(db, 6, { now: new Date(now) });
    expect(m!.stars).toMatchObject({ current: 0, previous: 2, total: 2 });
    const { rows } = await db.query<{ n: number }>(
      "select coalesce(sum(events[24]), 0)::int as n from github_event_days",
    );
    expect(rows[0]!.n).toBe(2);
  });

  it("counts unique actors exactly: both windows, the window start, duplicates, removals", async () => {
    await addWorkspace(db, 10, [
      { owner: "octo", name: "a" },
      { owner: "octo", name: "b" },
    ]);
    const now = "2024-05-01T10:20:30.400Z";
    const start = daysBefore(now, 30);
    await insertEvents(db, [
      { id: "ann-old", actor: "ann", at: daysBefore(now, 45) },
      { id: "ann-new", actor: "ann", at: daysBefore(now, 2) },
      { id: "ann-b", name: "b", actor: "ANN", type: "IssuesEvent", at: daysBefore(now, 1) },
      { id: "bob", actor: "bob", at: start },
      { id: "cy", actor: "cy", at: daysBefore(now, 30, -1) },
      { id: "dup", actor: "dee", at: daysBefore(now, 3) },
      { id: "ghost", actor: null, at: daysBefore(now, 3) },
      { id: "other", name: "c", actor: "fay", at: daysBefore(now, 3) },
    ]);
    expect(await insertEvents(db, [{ id: "dup", actor: "eve", at: daysBefore(now, 3) }])).toBe(0);
    const actors = async (at = now) =>
      (await getWorkspaceMetrics(db, 10, { now: new Date(at) }))!.activity.uniqueActors;
    // ann (once, whatever the case and repository), bob at the window's first instant, dee.
    expect(await actors()).toBe(3);
    // An event dated after `now`: its repository is counted event by event, same answer.
    await insertEvents(db, [{ id: "later", actor: "zed", at: daysBefore(now, 0, 1) }]);
    expect(await actors()).toBe(3);
    await db.query("delete from github_events_cache where event_id = 'later'");
    // bob's only event goes: he is no longer active, though the rollup remembers him.
    await db.query("delete from github_events_cache where event_id = 'bob'");
    expect(await actors()).toBe(2);
    // ann's current event moves back into the previous window: her issue on b still counts.
    await db.query(
      "update github_events_cache set created_at = created_at - interval '40 days' where event_id = 'ann-new'",
    );
    expect(await actors()).toBe(2);
    await db.query("delete from github_events_cache where event_id = 'ann-b'");
    expect(await actors()).toBe(1);
    // Ten days on, the window starts after every removal: answered from the rollup again.
    expect(await actors(daysBefore(now, -10))).toBe(1);
    expect(await actors(daysBefore(now, -28))).toBe(0);
  });

  it("returns null for an unknown or ended workspace and skips unique actors on request", async () => {
    expect(await getWorkspaceMetrics(db, 404)).toBeNull();
    await addWorkspace(db, 8, [{ owner: "octo", name: "a" }]);
    await db.query("update workspaces set status = 'deleted' where installation_id = 8");
    expect(await getWorkspaceMetrics(db, 8)).toBeNull();
    await db.query("update workspaces set status = 'active' where installation_id = 8");
    const m = await getWorkspaceMetrics(db, 8, { uniqueActors: false });
    expect(m!.activity.uniqueActors).toBeNull();
  });

  it("rejects days outside 1–365", async () => {
    await addWorkspace(db, 9, []);
    await expect(getWorkspaceMetrics(db, 9, { days: 0 })).rejects.toThrow(RangeError);
    await expect(getWorkspaceMetrics(db, 9, { days: 366 })).rejects.toThrow(RangeError);
    await expect(getWorkspaceMetrics(db, 9, { days: 1.5 })).rejects.toThrow(RangeError);
  });
});

describe("metrics of named repositories", () => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db.close();
  });

  it("measures repositories outside any workspace, once each, in the order given", async () => {
    await addWorkspace(db, 1, [{ owner: "Octo", name: "Known", stars: 900, forks: 40 }]);
    const now = "2024-05-01T00:00:00Z";
    await insertEvents(db, [
      { id: "1", owner: "octo", name: "known", at: daysBefore(now, 1) },
      { id: "2", owner: "other", name: "x.y_z-1", at: daysBefore(now, 31) },
    ]);
    const m = await getRepositoriesMetrics(db, ["other/x.y_z-1", "octo/known", "OCTO/KNOWN"], {
      now: new Date(now),
    });
    expect(
      m.repositories.map((r) => [r.repository, r.stars.total, r.forks.total, r.stars.current]),
    ).toEqual([
      ["other/x.y_z-1", 1, 0, 0],
      ["octo/known", 900, 40, 1],
    ]);
    expect(m.stars).toMatchObject({ total: 901, current: 1, previous: 1, percentChange: 0 });
    await expect(getRepositoriesMetrics(db, ["not a repo"])).rejects.toThrow(
      '"not a repo" is not a repository as owner/name',
    );
  });
});
