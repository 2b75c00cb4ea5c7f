import { type Config, ConfigError, readConfig } from "../config.js";
import { type Db, migrate, openDb } from "../db/index.js";
import { CliError, type CliIo } from "./cli-io.js";

export interface CliContext {
  config: Config;
  db: Db;
  close(): Promise<void>;
}

/** The same configuration and database as `npm start`: env, `DATABASE_URL` or `DATA_DIR`. */
export function readCliConfig(io: CliIo): Config {
  try {
    return readConfig(io.env);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
}

/** Opens (and migrates) the database, or uses the one the caller passed in. */
export async function openCliContext(io: CliIo, config = readCliConfig(io)): Promise<CliContext> {
  if (io.db) return { config, db: io.db, async close() {} };
  const db = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return { config, db, close: () => db.close() };
}
