import { afterAll, describe, expect, it } from "vitest";
import { type Db, migrate } from "../../src/db/index.js";
import { foldMetrics } from "../../src/metrics/fold-metrics.js";
import { getRepositoriesMetrics } from "../../src/metrics/get-repositories-metrics.js";
import { migrationSteps } from "../helpers/migration-steps.js";
import { foldRows, insertEvents } from "../metrics/fixtures.js";

const steps = migrationSteps("0023");

const links = async (db: Db) =>
  (
    await db.query<{ repo: string; day: string; previous: string | null }>(
      `select name_key as repo, to_char(day, 'MM-DD') as day,
              to_char(previous_day, 'MM-DD') as previous
         from github_event_days order by 1, 2`,
    )
  ).rows;

/** Coverage of octo/a over [Mar 1 12:00, Mar 7 12:00): day P is March 1st, day N the 7th. */
const coverage = async (db: Db) => {
  const m = await getRepositoriesMetrics(db, ["octo/a"], {
    now: new Date("2024-03-07T12:00:00.000Z"),
    days: 3,
  });
  const { daysWithEvents, longestGapDays, spanDays } = m.coverage[0]!;
  return { daysWithEvents, longestGapDays, spanDays };
};

describe("migration 0023: each repository-day links the previous day with events", () => {
  afterAll(() => steps.cleanup());

  it("links the folded days, and the fold and deletes keep the links", async () => {
    const db = await steps.emptyDb();
    try {
      expect((await migrate(db, steps.dir)).at(-1)).toBe("0022_metrics_hour_instants.sql");
      await insertEvents(db, [
        // Before P on day P: the day has a row but no event of the span.
        { id: "1", at: "2024-03-01T10:00:00.000Z" },
        { id: "3", at: "2024-03-03T10:00:00.000Z", type: "IssuesEvent" },
        { id: "6", at: "2024-03-06T10:00:00.000Z", type: "ForkEvent" },
        // Before N on day N.
        { id: "7", at: "2024-03-07T10:00:00.000Z" },
        { id: "b", at: "2024-03-02T10:00:00.000Z", name: "b" },
      ]);
      expect(await foldRows(db, 5)).toBe(5);
      // Not folded: the tail, which the rollups do not hold yet.
      await insertEvents(db, [{ id: "4", at: "2024-03-04T10:00:00.000Z" }]);

      expect(await migrate(db)).toContain("0023_metrics_previous_day.sql");
      expect(await links(db)).toEqual([
        { repo: "a", day: "03-01", previous: null },
        { repo: "a", day: "03-03", previous: "03-01" },
        { repo: "a", day: "03-06", previous: "03-03" },
        { repo: "a", day: "03-07", previous: "03-06" },
        { repo: "b", day: "03-02", previous: null },
      ]);
      // Active: the 3rd, the tail's 4th, the 6th and the 7th; two empty days lead.
      expect(await coverage(db)).toEqual({ daysWithEvents: 4, longestGapDays: 2, spanDays: 7 });

      await foldMetrics(db);
      expect((await links(db)).filter((l) => l.repo === "a")).toEqual([
        { repo: "a", day: "03-01", previous: null },
        { repo: "a", day: "03-03", previous: "03-01" },
        { repo: "a", day: "03-04", previous: "03-03" },
        { repo: "a", day: "03-06", previous: "03-04" },
        { repo: "a", day: "03-07", previous: "03-06" },
      ]);
      expect(await coverage(db)).toEqual({ daysWithEvents: 4, longestGapDays: 2, spanDays: 7 });

      // The 3rd loses its only event and its row: the 4th now follows the 1st.
      await db.query(`delete from github_events_cache where event_id = '3'`);
      expect((await links(db)).filter((l) => l.repo === "a")).toEqual([
        { repo: "a", day: "03-01", previous: null },
        { repo: "a", day: "03-04", previous: "03-01" },
        { repo: "a", day: "03-06", previous: "03-04" },
        { repo: "a", day: "03-07", previous: "03-06" },
      ]);
      // The 1st (before P), the 2nd and the 3rd are empty.
      expect(await coverage(db)).toEqual({ daysWithEvents: 3, longestGapDays: 3, spanDays: 7 });
    } finally {
      await db.close();
    }
  });
});
