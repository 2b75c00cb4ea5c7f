import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { readDailyHistory } from "../../src/metrics/read-daily-history.js";
import { createTestDb, resetDb } from "../helpers/db.js";

let db: Db;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  await resetDb(db);
  await db.query(
    `insert into workspaces (installation_id, account_login) values (1, 'octo');
     insert into workspace_repositories (installation_id, repository_id, owner, name)
     values (1, 10, 'Octo', 'A'), (1, 11, 'octo', 'b')`,
  );
});

const event = (id: string, type: string, repo: string, at: string) => {
  const [owner, name] = repo.split("/");
  return db.query(
    `insert into github_events_cache (event_id, event_type, actor_login, repository_owner, repository_name, created_at)
     values ($1::text, $2::text, 'x', $3::text, $4::text, $5::timestamptz)`,
    [id, type, owner, name, at],
  );
};

describe("readDailyHistory", () => {
  it("sums repositories per day, zero-fills, and names GitHub's days apart from events", async () => {
    await event("1", "WatchEvent", "OCTO/a", "2026-11-28T23:59:59Z");
    await event("2", "ForkEvent", "octo/a", "2026-11-29T00:00:00Z");
    // GitHub covers octo/a's stars from Nov 29: this WatchEvent is not counted again.
    await event("3", "WatchEvent", "octo/a", "2026-11-29T10:00:00Z");
    await event("4", "WatchEvent", "octo/b", "2026-12-01T10:00:00Z");
    await event("5", "IssuesEvent", "octo/b", "2026-12-01T11:00:00Z");
    await db.query(
      `insert into github_daily_counts (owner_key, name_key, day, stars, forks)
       values ('octo', 'a', '2026-11-29', 5, 0), ('octo', 'a', '2026-12-01', 2, 0);
       insert into github_history_coverage (owner_key, name_key, stars_from, stars_to)
       values ('octo', 'a', '2026-11-29', '2026-12-02')`,
    );
    const history = await readDailyHistory(db, ["octo/A", "octo/b"], { to: "2026-12-02" });
    expect(history).toEqual({
      days: [
        { date: "2026-11-28", stars: 1, forks: 0 },
        { date: "2026-11-29", stars: 5, forks: 1 },
        { date: "2026-11-30", stars: 0, forks: 0 },
        { date: "2026-12-01", stars: 3, forks: 0 },
        { date: "2026-12-02", stars: 0, forks: 0 },
      ],
      starsSource: "mixed",
      forksSource: "events",
    });
    const recent = await readDailyHistory(db, ["octo/a"], { from: "2026-11-30", to: "2026-12-02" });
    expect(recent).toEqual({
      days: [
        { date: "2026-11-30", stars: 0, forks: 0 },
        { date: "2026-12-01", stars: 2, forks: 0 },
        { date: "2026-12-02", stars: 0, forks: 0 },
      ],
      starsSource: "github",
      forksSource: null,
    });
  });

  it("answers an empty history for a repository with no stars or forks", async () => {
    expect(await readDailyHistory(db, ["octo/b"], { to: "2026-12-02" })).toEqual({
      days: [{ date: "2026-12-02", stars: 0, forks: 0 }],
      starsSource: null,
      forksSource: null,
    });
  });
});
