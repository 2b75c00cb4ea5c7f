import { existsSync } from "node:fs";
import { ConfigError, readConfig } from "./config.js";
import { migrate, openDb } from "./db/index.js";

/** `npm run migrate`: applies pending migrations to DATABASE_URL or the embedded database. */
async function main(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const config = readConfig();
  const db = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    const applied = await migrate(db);
    console.log(applied.length ? `applied ${applied.join(", ")}` : "database is up to date");
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  console.error(
    err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err),
  );
  process.exit(1);
});
