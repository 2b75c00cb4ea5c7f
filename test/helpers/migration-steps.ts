import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import pg from "pg";
import { type Db, openDb } from "../../src/db/index.js";

const migrations = join(import.meta.dirname, "../../migrations");

/**
 * A migration's test: the migrations before it in a folder of their own, and an empty
 * database to apply them to step by step — on DATABASE_URL's server in a database created
 * here when it is set, else the embedded one. `cleanup` removes both.
 */
export function migrationSteps(before: string) {
  const dir = mkdtempSync(join(tmpdir(), `wbb-migrations-${before}-`));
  cpSync(migrations, dir, {
    recursive: true,
    filter: (source) => !source.endsWith(".sql") || basename(source) < before,
  });
  const adminUrl = process.env.DATABASE_URL;
  const name = `wbb_test_migrations_${randomBytes(6).toString("hex")}`;
  let created = false;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    /** The folder holding only the migrations before `before`. */
    dir,
    async emptyDb(): Promise<Db> {
      if (!adminUrl) return openDb({ dataDir: "memory://" });
      await admin(`create database ${name}`);
      created = true;
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return openDb({ databaseUrl: url.toString(), dataDir: "unused", max: 2 });
    },
    async cleanup(): Promise<void> {
      rmSync(dir, { recursive: true, force: true });
      if (created) await admin(`drop database if exists ${name} with (force)`);
    },
  };
}
