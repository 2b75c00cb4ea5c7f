import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, migrate } from "../../src/db/index.js";
import { createTestDb } from "../helpers/db.js";

describe("migrate", () => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db.close();
  });

  it("records every migration once and applies nothing the second time", async () => {
    const { rows } = await db.query<{ name: string }>(
      "select name from schema_migrations order by name",
    );
    expect(rows.map((r) => r.name)[0]).toBe("0001_init.sql");
    expect(await migrate(db)).toEqual([]);
  });

  it("keeps event_id unique and stores GitHub ids as bigint", async () => {
    const insert = `insert into github_events_cache
      (event_id, event_type, actor_login, repository_owner, repository_name, payload, created_at)
      values ($1, 'WatchEvent', 'a', 'octo', 'repo', '{}', now())`;
    await db.query(insert, ["e1"]);
    await expect(db.query(insert, ["e1"])).rejects.toThrow(/duplicate key/);
    await db.query(
      "insert into workspaces (installation_id, account_login) values ($1, 'octo')",
      [9_007_199_254_740_000],
    );
    const { rows } = await db.query<{ installation_id: number }>(
      "select installation_id from workspaces",
    );
    expect(rows[0]!.installation_id).toBe(9_007_199_254_740_000);
  });
});
