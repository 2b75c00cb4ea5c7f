import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { createTestDb } from "../helpers/db.js";

describe("migration 0021", () => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());

  it("leaves GitHub's reporting ids in run_reports only", async () => {
    const { rows } = await db.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns
        where table_schema = current_schema()
          and column_name in ('command_repository_id', 'command_comment_id', 'progress_comment_id',
                              'check_run_id', 'progress_comment_claimed_at', 'check_run_claimed_at')
        order by table_name, column_name`,
    );
    expect(rows.map((r) => `${r.table_name}.${r.column_name}`)).toEqual([
      "run_reports.check_run_claimed_at",
      "run_reports.check_run_id",
      "run_reports.command_comment_id",
      "run_reports.command_repository_id",
      "run_reports.progress_comment_claimed_at",
      "run_reports.progress_comment_id",
    ]);
  });
});
