import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Db } from "./db.js";

/** Any constant shared by every process of the app; guards migrations across replicas. */
const MIGRATION_LOCK = 7_264_031_118;

/** An applied migration's file no longer matches what was applied: start-up must stop. */
export class MigrationChangedError extends Error {
  constructor(readonly migration: string) {
    super(
      `migration ${migration} was changed after it was applied to this database; restore the file and put the change in a new migration`,
    );
    this.name = "MigrationChangedError";
  }
}

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
 * The file's identity. Line endings are normalised: a checkout with `core.autocrlf` is
 * the same migration, not an edited one.
 */
export function migrationChecksum(sql: string): string {
  return createHash("sha256").update(sql.replace(/\r\n/g, "\n")).digest("hex");
}

/**
 * Applies pending `migrations/*.sql` in name order, each once, each in its own
 * transaction, recorded in `schema_migrations` with its checksum. A transaction-scoped
 * advisory lock makes a second process starting at the same moment wait, then see the
 * migration as applied. An applied migration whose file changed since stops everything
 * (`MigrationChangedError`) before any pending one runs; rows recorded before checksums
 * existed take the current file's. Returns the names applied now.
 */
export async function migrate(db: Db, dir?: string): Promise<string[]> {
  const folder = dir ?? (await migrationsDir());
  const files = (await readdir(folder)).filter((f) => /^\d+_[\w-]+\.sql$/.test(f)).sort();
  const sources = await Promise.all(
    files.map(async (name) => {
      const sql = await readFile(`${folder}/${name}`, "utf8");
      return { name, sql, checksum: migrationChecksum(sql) };
    }),
  );
  const pending = await db.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock($1::bigint)", [MIGRATION_LOCK]);
    await tx.query(
      `create table if not exists schema_migrations (
         name text primary key,
         applied_at timestamptz not null default now()
       )`,
    );
    await tx.query("alter table schema_migrations add column if not exists checksum text");
    const { rows } = await tx.query<{ name: string; checksum: string | null }>(
      "select name, checksum from schema_migrations",
    );
    const recorded = new Map(rows.map((r) => [r.name, r.checksum]));
    for (const { name, checksum } of sources) {
      const was = recorded.get(name);
      if (was && was !== checksum) throw new MigrationChangedError(name);
    }
    await tx.query(
      `update schema_migrations m set checksum = f.checksum
         from unnest($1::text[], $2::text[]) as f (name, checksum)
        where m.name = f.name and m.checksum is null`,
      [sources.map((s) => s.name), sources.map((s) => s.checksum)],
    );
    return sources.filter((s) => !recorded.has(s.name));
  });
  const applied: string[] = [];
  for (const { name, sql, checksum } of pending) {
    const done = await db.transaction(async (tx) => {
      await tx.query("select pg_advisory_xact_lock($1::bigint)", [MIGRATION_LOCK]);
      const seen = await tx.query("select 1 from schema_migrations where name = $1", [name]);
      if (seen.rowCount > 0) return false;
      await tx.query(sql);
      await tx.query("insert into schema_migrations (name, checksum) values ($1, $2)", [
        name,
        checksum,
      ]);
      return true;
    });
    if (done) applied.push(name);
  }
  return applied;
}
