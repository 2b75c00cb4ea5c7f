import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { type Db, pgTypes, poolDb } from "./db.js";
import { lockDataDir } from "./lock-data-dir.js";
import { pgliteDb, pgliteParsers } from "./pglite-db.js";

export interface OpenDbOptions {
  /** `postgres://…`; unset → the embedded database. */
  databaseUrl?: string | undefined;
  /** Where the embedded database lives; `memory://` keeps it in memory. */
  dataDir: string;
  max?: number;
  onError?: (err: Error) => void;
}

export async function openDb(options: OpenDbOptions): Promise<Db> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.max ?? 10,
      types: pgTypes,
      connectionTimeoutMillis: 10_000,
      // The app's queries are short and index-driven; JIT compiling them when the planner's
      // estimate runs high cost seconds in the metrics bench for no gain.
      options: "-c jit=off",
    });
    return poolDb(pool, { onError: options.onError });
  }
  const inMemory = options.dataDir.startsWith("memory://");
  let unlock = async () => {};
  if (!inMemory) {
    mkdirSync(options.dataDir, { recursive: true });
    unlock = lockDataDir(options.dataDir);
  }
  try {
    const pglite = await PGlite.create(inMemory ? undefined : options.dataDir, {
      parsers: pgliteParsers,
    });
    return pgliteDb(pglite, unlock);
  } catch (err) {
    await unlock();
    throw err;
  }
}
