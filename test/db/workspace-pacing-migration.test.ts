import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { migrate, openDb } from "../../src/db/index.js";

const migrations = join(import.meta.dirname, "../../migrations");
const dir = mkdtempSync(join(tmpdir(), "wbb-pacing-"));

describe("migration 0018: the engine's pacing in its own table", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps every workspace's next trigger and drops the column of workspaces", async () => {
    // The database as it stood before 0018: the later migrations are left out.
    cpSync(migrations, dir, {
      recursive: true,
      filter: (source) => !source.endsWith(".sql") || basename(source) < "0018",
    });
    const db = await openDb({ dataDir: "memory://" });
    try {
      expect((await migrate(db, dir)).at(-1)).toBe("0017_run_notifications.sql");
      await db.query(
        `insert into workspaces (installation_id, account_login, next_trigger_at) values
           (1, 'paused-org', '2030-01-02T03:04:05Z'), (2, 'never-ran', '-infinity')`,
      );
      expect(await migrate(db)).toContain("0018_workspace_pacing.sql");
      const { rows } = await db.query<{ installation_id: string; next_trigger_at: string }>(
        `select installation_id::text, next_trigger_at::text from workspace_pacing
          order by installation_id`,
      );
      expect(rows).toEqual([
        { installation_id: "1", next_trigger_at: "2030-01-02 03:04:05+00" },
        { installation_id: "2", next_trigger_at: "-infinity" },
      ]);
      const column = await db.query(
        `select 1 from information_schema.columns
          where table_name = 'workspaces' and column_name = 'next_trigger_at'`,
      );
      expect(column.rows).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
