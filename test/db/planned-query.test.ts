import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { createTestDb } from "../helpers/db.js";

describe("queryPlanned", () => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());

  it("is there on Postgres only", () => {
    expect(typeof db.queryPlanned).toBe(db.kind === "postgres" ? "function" : "undefined");
  });

  it.skipIf(!process.env.DATABASE_URL)(
    "prepares the statement once per connection with one plan for any parameters",
    async () => {
      const add = "select $1::int + 1 as n";
      for (const [arg, n] of [
        [1, 2],
        [41, 42],
      ]) {
        expect((await db.queryPlanned!("add-one", add, [arg])).rows).toEqual([{ n }]);
      }
      // Calls one after another reuse the pool's last connection: the statement's counters.
      const { rows } = await db.queryPlanned!(
        "plans-of",
        "select generic_plans::int as generic, custom_plans::int as custom from pg_prepared_statements where name = $1",
        ["add-one"],
      );
      expect(rows).toEqual([{ generic: 2, custom: 0 }]);
      // The app's other statements keep their plans made for their parameters.
      const other = await db.query<{ mode: string }>(
        "select current_setting('plan_cache_mode') as mode",
      );
      expect(other.rows).toEqual([{ mode: "auto" }]);
    },
  );
});
