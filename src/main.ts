import { existsSync } from "node:fs";
import { run } from "probot";
import { createApp } from "./app.js";
import { createEngine } from "./backfill/index.js";
import type { Engine } from "./backfill/types.js";
import type { Surfaces } from "./github/register-surfaces.js";
import { ConfigError, readConfig } from "./config.js";
import { MigrationChangedError, migrate, openDb } from "./db/index.js";
import {
  createHistoryReader,
  createLiveRefresh,
  type GitHubRequest,
  type LiveRefresh,
} from "./history/index.js";
import { createLogger } from "./logger.js";
import { createNotifier, type Notifier } from "./notify/index.js";
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
  let liveRefresh: LiveRefresh | undefined;
  let surfaces: Surfaces | undefined;
  let notifier: Notifier | undefined;
  const log = await createLogger();
  const server = await run(
    (app, options) => {
      // GitHub as a source: each read gets an installation token of its own (they last an
      // hour; a run of `all` over many repositories lasts longer).
      const history = createHistoryReader({
        db,
        requestFor: async (installationId) =>
          (await app.auth(installationId)).request as unknown as GitHubRequest,
        maxWaitMs: config.BACKFILL_JOB_TIMEOUT_MS,
      });
      engine = createEngine({ db, config, history, log: app.log.child({ name: "backfill" }) });
      liveRefresh = createLiveRefresh({
        db,
        reader: history,
        debounceMs: config.GITHUB_REFRESH_DEBOUNCE_MS,
        log: app.log.child({ name: "live-figures" }),
      });
      notifier = createNotifier({
        db,
        config,
        webBase: webBaseOf(process.env),
        engine,
        log: app.log.child({ name: "notify" }),
      });
      const onSurfaces = (s: Surfaces) => {
        surfaces = s;
      };
      return createApp({ db, config, engine, liveRefresh, onSurfaces })(app, options);
    },
    { log },
  );
  // Without APP_ID/PRIVATE_KEY Probot serves its setup page only: no app, no engine.
  await engine?.start();
  liveRefresh?.start();
  await notifier?.start();
  surfaces?.scheduler.start();
  // Folds gh-datapipe's new rows into the metrics rollups and follows workspace changes.
  const metrics = startMetricsMaintenance({ db, log: log.child({ name: "metrics" }) });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // Last progress writes first, then the engine; what is left resumes at the next start.
    surfaces?.stop();
    await surfaces?.scheduler.stop();
    await notifier?.stop();
    await surfaces?.idle();
    await liveRefresh?.stop();
    await engine?.stop();
    await metrics.stop();
    await server.stop();
    await db.close();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

/** Where links in notifications point: github.com, or the GitHub Enterprise host Probot uses. */
function webBaseOf(env: NodeJS.ProcessEnv): string {
  if (!env.GHE_HOST) return "https://github.com";
  return `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}`;
}

main().catch((err: unknown) => {
  // One line, no stack, for a bad configuration (never the value of a variable) or an
  // applied migration whose file was edited.
  if (err instanceof ConfigError || err instanceof MigrationChangedError)
    console.error(err.message);
  else console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
