import { existsSync } from "node:fs";
import { run } from "probot";
import { createApp } from "./app.js";
import { createEngine } from "./backfill/index.js";
import type { Engine } from "./backfill/types.js";
import type { Surfaces } from "./github/register-surfaces.js";
import { ConfigError, readConfig } from "./config.js";
import { migrate, openDb } from "./db/index.js";
import { createLogger } from "./logger.js";
import { startMetricsMaintenance } from "./metrics/maintain-metrics.js";

/**
 * `npm start`: the Probot server with the back-fill engine (contract §1). Migrations are
 * applied first; the engine resumes whatever a previous process left unfinished.
 */
async function main(): Promise<void> {
  // Probot reads `.env` too; reading it here first lets our own variables come from it.
  if (existsSync(".env")) process.loadEnvFile(".env");
  const config = readConfig();
  const db = await openDb({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    onError: (err) => console.error(`database connection lost: ${err.message}`),
  });
  await migrate(db);

  let engine: Engine | undefined;
  let surfaces: Surfaces | undefined;
  const log = await createLogger();
  const server = await run(
    (app, options) => {
      engine = createEngine({ db, config, log: app.log.child({ name: "backfill" }) });
      const onSurfaces = (s: Surfaces) => {
        surfaces = s;
      };
      return createApp({ db, config, engine, onSurfaces })(app, options);
    },
    { log },
  );
  // Without APP_ID/PRIVATE_KEY Probot serves its setup page only: no app, no engine.
  await engine?.start();
  // Folds gh-datapipe's new rows into the metrics rollups and follows workspace changes.
  const metrics = startMetricsMaintenance({ db, log: log.child({ name: "metrics" }) });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // Last progress writes first, then the engine; what is left resumes at the next start.
    surfaces?.stop();
    await surfaces?.idle();
    await engine?.stop();
    await metrics.stop();
    await server.stop();
    await db.close();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((err: unknown) => {
  // One line, no stack, for a bad configuration; never the value of a variable.
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
