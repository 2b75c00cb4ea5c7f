import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { type Db, migrate, openDb } from "../../src/db/index.js";

/**
 * A fresh, migrated database for one test file: on real Postgres (`DATABASE_URL` set) a
 * new database cloned from the template that `test/global-setup.ts` migrated; otherwise an
 * in-memory PGlite. Call `db.close()` in `afterAll`.
 */
export async function createTestDb(): Promise<Db> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = await openDb({ dataDir: "memory://" });
    await migrate(db);
    return db;
  }
  const name = `wbb_test_${randomBytes(6).toString("hex")}`;
  const template = inject("templateDb");
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create database ${name}${template ? ` template ${template}` : ""}`);
  } finally {
    await admin.end();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = await openDb({ databaseUrl: target.toString(), dataDir: "unused", max: 5 });
  if (!template) await migrate(db);
  const close = db.close.bind(db);
  return Object.assign(db, {
    url: target.toString(),
    async close() {
      await close();
      const drop = new pg.Client({ connectionString: url });
      await drop.connect();
      try {
        await drop.query(`drop database if exists ${name} with (force)`);
      } finally {
        await drop.end();
      }
    },
  });
}

/** The URL of the per-file database, for code under test that opens its own connection. */
export function databaseUrlOf(db: Db): string | undefined {
  return (db as Db & { url?: string }).url;
}

/** Empties every app table (keeps the schema), so tests in one file start clean. */
export async function resetDb(db: Db): Promise<void> {
  const { rows } = await db.query<{ name: string }>(
    `select quote_ident(tablename) as name from pg_tables
      where schemaname = 'public' and tablename <> 'schema_migrations'`,
  );
  if (rows.length === 0) return;
  await db.query(`truncate ${rows.map((r) => r.name).join(", ")} restart identity cascade`);
}
