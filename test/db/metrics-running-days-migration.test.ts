import { afterAll, describe, expect, it } from "vitest";
import { type Db, migrate } from "../../src/db/index.js";
import { foldMetrics } from "../../src/metrics/fold-metrics.js";
import { getRepositoriesMetrics } from "../../src/metrics/get-repositories-metrics.js";
import { migrationSteps } from "../helpers/migration-steps.js";
import { foldRows, insertEvents } from "../metrics/fixtures.js";

const steps = migrationSteps("0025");

const totals = async (db: Db) =>
  (
    await db.query<{ repo: string; day: string; totals: string }>(
      `select name_key as repo, to_char(day, 'MM-DD') as day,
              concat_ws(' ', stars_before, forks_before, events_before, active_before) as totals
         from github_event_days order by 1, 2`,
    )
  ).rows;

/** octo/a over [Mar 4 12:00, Mar 7 12:00) against [Mar 1 12:00, Mar 4 12:00). */
const figures = async (db: Db) => {
  const m = await getRepositoriesMetrics(db, ["octo/a"], {
    now: new Date("2024-03-07T12:00:00.000Z"),
    days: 3,
  });
  const { daysWithEvents, longestGapDays } = m.coverage[0]!;
  const { current, previous } = m.repositories[0]!.stars;
  return {
    current,
    previous,
    events: m.repositories[0]!.totalEvents,
    daysWithEvents,
    longestGapDays,
  };
};

describe("migration 0025: each repository-day carries the totals of the days before it", () => {
  afterAll(() => steps.cleanup());

  it("sums the folded days, and the fold and deletes keep the sums", async () => {
    const db = await steps.emptyDb();
    try {
      expect((await migrate(db, steps.dir)).at(-1)).toBe(
        "0024_metrics_fold_ended_transactions.sql",
      );
      await insertEvents(db, [
        { id: "1", at: "2024-02-28T10:00:00.000Z" },
        { id: "2", at: "2024-03-01T13:00:00.000Z" },
        { id: "3", at: "2024-03-01T14:00:00.000Z", type: "ForkEvent" },
        { id: "5", at: "2024-03-05T10:00:00.000Z", type: "IssuesEvent" },
        { id: "6", at: "2024-03-06T10:00:00.000Z" },
        { id: "b", at: "2024-03-02T10:00:00.000Z", name: "b" },
      ]);
      expect(await foldRows(db, 6)).toBe(6);
      // Not folded: the tail, which the rollups do not hold yet.
      await insertEvents(db, [{ id: "4", at: "2024-03-03T10:00:00.000Z" }]);

      expect(await migrate(db)).toContain("0025_metrics_running_days.sql");
      // stars, forks, events and days before each day.
      expect(await totals(db)).toEqual([
        { repo: "a", day: "02-28", totals: "0 0 0 0" },
        { repo: "a", day: "03-01", totals: "1 0 1 1" },
        { repo: "a", day: "03-05", totals: "2 1 3 2" },
        { repo: "a", day: "03-06", totals: "2 1 4 3" },
        { repo: "b", day: "03-02", totals: "0 0 0 0" },
      ]);
      // Previous window: the 1st's star and the tail's 3rd; current: the 6th's.
      const withTail = { current: 1, previous: 2, events: 2, daysWithEvents: 4, longestGapDays: 1 };
      expect(await figures(db)).toEqual(withTail);

      // The tail folded in the middle of the history moves every later day's totals.
      await foldMetrics(db);
      expect((await totals(db)).filter((t) => t.repo === "a")).toEqual([
        { repo: "a", day: "02-28", totals: "0 0 0 0" },
        { repo: "a", day: "03-01", totals: "1 0 1 1" },
        { repo: "a", day: "03-03", totals: "2 1 3 2" },
        { repo: "a", day: "03-05", totals: "3 1 4 3" },
        { repo: "a", day: "03-06", totals: "3 1 5 4" },
      ]);
      expect(await figures(db)).toEqual(withTail);

      // The 1st loses its fork, then the 3rd its only event and its row.
      await db.query(`delete from github_events_cache where event_id = '3'`);
      await db.query(`delete from github_events_cache where event_id = '4'`);
      expect((await totals(db)).filter((t) => t.repo === "a")).toEqual([
        { repo: "a", day: "02-28", totals: "0 0 0 0" },
        { repo: "a", day: "03-01", totals: "1 0 1 1" },
        { repo: "a", day: "03-05", totals: "2 0 2 2" },
        { repo: "a", day: "03-06", totals: "2 0 3 3" },
      ]);
      // The 2nd to the 4th are empty.
      expect(await figures(db)).toEqual({
        current: 1,
        previous: 1,
        events: 2,
        daysWithEvents: 3,
        longestGapDays: 3,
      });
    } finally {
      await db.close();
    }
  });
});
