import { afterAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/db/index.js";
import { foldMetrics } from "../../src/metrics/fold-metrics.js";
import { getRepositoriesMetrics } from "../../src/metrics/get-repositories-metrics.js";
import { migrationSteps } from "../helpers/migration-steps.js";
import { foldRows, insertEvents } from "../metrics/fixtures.js";

const steps = migrationSteps("0022");

describe("migration 0022: each repository-hour's instants", () => {
  afterAll(() => steps.cleanup());

  it("rebuilds the hours from the folded events only, and the figures stay the same", async () => {
    const db = await steps.emptyDb();
    try {
      expect((await migrate(db, steps.dir)).at(-1)).toBe("0021_drop_moved_report_columns.sql");
      await insertEvents(db, [
        { id: "1", at: "2024-03-24T13:05:00.250Z" },
        { id: "2", at: "2024-03-24T13:00:00.000Z", owner: "Octo" },
        { id: "3", at: "2024-03-24T13:59:59.999Z", type: "ForkEvent" },
        { id: "4", at: "2024-03-24T13:30:00.000400Z", type: "IssuesEvent" },
        { id: "5", at: "2024-03-24T14:10:00.000Z" },
        { id: "6", at: "2024-03-24T14:20:00.000Z" },
        { id: "7", at: "2024-03-24T13:05:00.250Z", name: "b" },
      ]);
      expect(await foldRows(db, 7)).toBe(7);
      await db.query(`delete from github_events_cache where event_id = '6'`);
      // Not folded: the tail, which the rollups must not hold.
      await insertEvents(db, [{ id: "8", at: "2024-03-24T13:10:00.000Z" }]);

      expect(await migrate(db)).toContain("0022_metrics_hour_instants.sql");
      const { rows } = await db.query(
        `select owner_key, name_key, to_char(hour at time zone 'UTC', 'HH24') as hour,
                stars, forks, others
           from github_event_hours order by 1, 2, 3`,
      );
      expect(rows).toEqual([
        {
          owner_key: "octo",
          name_key: "a",
          hour: "13",
          stars: [0, 300250],
          forks: [3599999],
          others: [1800000],
        },
        { owner_key: "octo", name_key: "a", hour: "14", stars: [600000], forks: [], others: [] },
        { owner_key: "octo", name_key: "b", hour: "13", stars: [300250], forks: [], others: [] },
      ]);
      // An edge inside the rebuilt hour (13:06 on the 24th): the tail's event counts too; 4 events with the issue.
      const m = await getRepositoriesMetrics(db, ["octo/a"], {
        now: new Date("2024-03-25T13:06:00.000Z"),
        days: 1,
      });
      expect(m.stars).toMatchObject({ current: 2, previous: 2 });
      expect(m.forks).toMatchObject({ current: 1, previous: 0 });
      expect(m.activity.totalEvents).toBe(4);
      // The fold goes on with the new rows: the tail's event joins its hour, in order.
      await foldMetrics(db);
      const hour13 = await db.query(
        `select stars from github_event_hours
          where name_key = 'a' and hour = '2024-03-24T13:00:00Z'`,
      );
      expect(hour13.rows).toEqual([{ stars: [0, 300250, 600000] }]);
    } finally {
      await db.close();
    }
  });
});
