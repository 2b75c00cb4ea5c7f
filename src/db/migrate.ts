import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Db } from "./db.js";

/** Any constant shared by every process of the app; guards migrations across replicas. */
const MIGRATION_LOCK = 7_264_031_118;

/** Finds `migrations/` whether running from `src/` (tsx, tests) or `dist/src/`. */
async function migrationsDir(): Promise<string> {
  for (const up of ["../../migrations/", "../../../migrations/"]) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    try {
      await readdir(dir);
      return dir;
    } catch {}
  }
  throw new Error("migrations/ not found");
}

/**
 * Applies pending `migrations/*.sql` in name order, each once, each in its own
 * transaction, recorded in `schema_migrations`. A transaction-scoped advisory lock makes a
 * second process starting at the same moment wait, then see the migration as applied.
 * Returns the names applied now.
 */
export async function migrate(db: Db, dir?: string): Promise<string[]> {
  const folder = dir ?? (await migrationsDir());
  const files = (await readdir(folder)).filter((f) => /^\d+_[\w-]+\.sql$/.test(f)).sort();
  await db.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock($1::bigint)", [MIGRATION_LOCK]);
    await tx.query(
      `create table if not exists schema_migrations (
         name text primary key,
         applied_at timestamptz not null default now()
       )`,
    );
  });
  const applied: string[] = [];
  for (const name of files) {
    const sql = await readFile(`${folder}/${name}`, "utf8");
    const done = await db.transaction(async (tx) => {
      await tx.query("select pg_advisory_xact_lock($1::bigint)", [MIGRATION_LOCK]);
      const seen = await tx.query("select 1 from schema_migrations where name = $1", [name]);
      if (seen.rowCount > 0) return false;
      await tx.query(sql);
      await tx.query("insert into schema_migrations (name) values ($1)", [name]);
      return true;
    });
    if (done) applied.push(name);
  }
  return applied;
}
