import { migrate, openDb } from "../db/index.js";
import { type CliIo, writeLine } from "./cli-io.js";
import { readCliConfig } from "./open-cli-context.js";

/** `workspace-backfill migrate`: what `npm run migrate` does. */
export async function migrateCommand(io: CliIo): Promise<number> {
  const config = readCliConfig(io);
  const db =
    io.db ?? (await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR }));
  try {
    const applied = await migrate(db);
    writeLine(
      io.stdout,
      applied.length ? `applied ${applied.join(", ")}` : "database is up to date",
    );
    return 0;
  } finally {
    if (!io.db) await db.close();
  }
}
