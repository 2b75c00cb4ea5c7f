import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, MigrationChangedError, migrate, openDb } from "../../src/db/index.js";
import { migrationChecksum } from "../../src/db/migrate.js";
import { createTestDb, databaseUrlOf } from "../helpers/db.js";
import { testPrivateKey } from "../helpers/probot.js";

const root = join(import.meta.dirname, "../..");
const migrations = join(root, "migrations");
const tsx = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;
const dirs: string[] = [];

/** A copy of `migrations/` to edit, as a developer's checkout would be. */
function copyOfMigrations(): string {
  const dir = mkdtempSync(join(tmpdir(), "wbb-migrations-"));
  dirs.push(dir);
  cpSync(migrations, dir, { recursive: true });
  return dir;
}

const recorded = async (db: Db) =>
  Object.fromEntries(
    (
      await db.query<{ name: string; checksum: string | null }>(
        "select name, checksum from schema_migrations order by name",
      )
    ).rows.map((r) => [r.name, r.checksum]),
  );

describe("migrate", () => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("records every migration once and applies nothing the second time", async () => {
    const { rows } = await db.query<{ name: string }>(
      "select name from schema_migrations order by name",
    );
    expect(rows.map((r) => r.name)[0]).toBe("0001_init.sql");
    expect(await migrate(db)).toEqual([]);
  });

  it("records the checksum of each applied file; rows from before checksums adopt the file's", async () => {
    const expected = (name: string) =>
      migrationChecksum(readFileSync(join(migrations, name), "utf8"));
    const before = await recorded(db);
    for (const [name, checksum] of Object.entries(before)) expect(checksum).toBe(expected(name));
    // A database migrated before checksums were recorded.
    await db.query("update schema_migrations set checksum = null");
    expect(await migrate(db)).toEqual([]);
    expect(await recorded(db)).toEqual(before);
  });

  it("refuses an applied migration whose file changed, naming it, and applies nothing after it", async () => {
    const dir = copyOfMigrations();
    const edited = join(dir, "0003_backfill_engine.sql");
    writeFileSync(edited, `${readFileSync(edited, "utf8")}\nselect 1;\n`);
    writeFileSync(join(dir, "9000_added.sql"), "create table added_later (id int);");
    const before = await recorded(db);
    const error = await migrate(db, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationChangedError);
    expect((error as Error).message).toBe(
      "migration 0003_backfill_engine.sql was changed after it was applied to this database; restore the file and put the change in a new migration",
    );
    expect(await recorded(db)).toEqual(before);
    const { rows } = await db.query("select 1 from pg_tables where tablename = 'added_later'");
    expect(rows).toEqual([]);
  });

  it("applies a new migration and records its checksum; CRLF line endings are the same file", async () => {
    const dir = copyOfMigrations();
    const crlf = join(dir, "0001_init.sql");
    writeFileSync(crlf, readFileSync(crlf, "utf8").replace(/\n/g, "\r\n"));
    const sql = "create table added_now (id int);\n";
    writeFileSync(join(dir, "9001_added_now.sql"), sql);
    expect(await migrate(db, dir)).toEqual(["9001_added_now.sql"]);
    expect((await recorded(db))["9001_added_now.sql"]).toBe(migrationChecksum(sql));
    expect(await migrate(db, dir)).toEqual([]);
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

describe("npm start on a database whose applied migration was edited", () => {
  it("stops with one line naming the migration", { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "wbb-edited-"));
    dirs.push(dir);
    const env: Record<string, string> = { DATA_DIR: join(dir, "data") };
    // The app's migrations/ is the checkout's own: change what the database recorded
    // instead, which is the same mismatch seen from the other side.
    let db: Db;
    if (process.env.DATABASE_URL) {
      db = await createTestDb();
      env.DATABASE_URL = databaseUrlOf(db)!;
    } else {
      db = await openDb({ dataDir: env.DATA_DIR! });
      await migrate(db);
    }
    await db.query(
      "update schema_migrations set checksum = repeat('0', 64) where name = '0002_metrics_rollup.sql'",
    );
    if (!process.env.DATABASE_URL) await db.close();
    const base = { ...process.env };
    delete base.DATABASE_URL;
    const child = spawn(process.execPath, ["--import", tsx, join(root, "src/main.ts")], {
      cwd: dir,
      env: {
        ...base,
        NODE_ENV: "production",
        APP_ID: "1",
        PRIVATE_KEY: testPrivateKey(),
        WEBHOOK_SECRET: "s",
        HOST: "127.0.0.1",
        PORT: "0",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const code = await new Promise((resolve) => child.on("exit", resolve));
    if (process.env.DATABASE_URL) await db.close();
    expect(code).toBe(1);
    expect(out.trim()).toBe(
      "migration 0002_metrics_rollup.sql was changed after it was applied to this database; restore the file and put the change in a new migration",
    );
  });
});
