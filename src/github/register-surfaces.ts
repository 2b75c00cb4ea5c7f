import type { Probot } from "probot";
import type { Engine } from "../backfill/types.js";
import type { Config } from "../config.js";
import type { Db } from "../db/index.js";
import { createBackgroundTasks } from "./background-tasks.js";
import type { Octokit } from "./github-api.js";
import type { SurfaceHandler } from "./guard-delivery.js";
import { handleCheckRun } from "./handle-check-run.js";
import { handleCommand } from "./handle-command.js";
import { handleDashboardEdit } from "./handle-dashboard-edit.js";
import { handleLiveFigures, type RefreshRequests } from "./handle-live-figures.js";
import {
  handleInstallationEvent,
  type InstallationDeps,
  type RepositoriesAdded,
} from "./installation-handlers.js";
import { createKeyedLock } from "./keyed-lock.js";
import { metricsResults } from "./metrics-results.js";
import { createRunReporter, subscribeReporter } from "./run-reporter.js";
import type { ResultsSource } from "./run-results.js";
import type { Scheduler } from "../schedules/index.js";
import { registerSchedules } from "./register-schedules.js";
import { startAutoBackfill } from "./start-auto-backfill.js";
import type { SurfaceContext } from "./surface-context.js";

/*
 * Every webhook the app listens to is registered in this file: the installation events
 * (workspaces) in `registerInstallationHandlers`, the commands, the dashboard and the check
 * run in `registerSurfaces`. Each handler parses and delegates (`guard-delivery.ts`).
 */

export interface Surfaces {
  /** Called by the installation handlers once the new repositories' rows are committed. */
  onRepositoriesAdded(input: RepositoriesAdded): Promise<void>;
  /** Resolves when every write started so far has settled (tests, shutdown). */
  idle(): Promise<void>;
  /** Stops the reporters' engine subscription and their waits to try a failed write again. */
  stop(): void;
  /** Fires the workspaces' schedules (contract §7) once started; `stop()` stops it too. */
  scheduler: Scheduler;
}

export interface SurfacesDeps {
  db: Db;
  config: Config;
  engine: Engine;
  /** The end-of-run figures; defaults to the metrics module's. */
  results?: ResultsSource;
  /** The clock schedules are read with; tests pass their own. */
  now?: () => Date;
  /** Live figures after `star` and `fork` webhooks; absent → those webhooks are ignored. */
  liveRefresh?: RefreshRequests;
}

/** `installation`, `installation_repositories` and `repository`: the workspace rows. */
export function registerInstallationHandlers(app: Probot, deps: InstallationDeps): void {
  app.on(["installation", "installation_repositories", "repository"], (context) =>
    handleInstallationEvent(deps, {
      deliveryId: context.id,
      event: context.name,
      payload: context.payload,
      log: context.log,
    }),
  );
}

/** Registers the `/backfill` commands, dashboard and check-run handlers, starts the reporters. */
export function registerSurfaces(app: Probot, deps: SurfacesDeps): Surfaces {
  const log = app.log.child({ name: "surfaces" });
  const lock = createKeyedLock();
  const tasks = createBackgroundTasks(log);
  const reporter = createRunReporter({
    db: deps.db,
    config: deps.config,
    // Progress outlives the webhook (and a restart): a fresh installation token each time.
    auth: async (installationId) => (await app.auth(installationId)) as Octokit,
    results: deps.results ?? metricsResults(deps.db),
    lock,
    log,
  });
  const unsubscribe = subscribeReporter(deps.engine, reporter);
  const ctx: SurfaceContext = { ...deps, reporter, tasks, lock, log };
  const schedules = registerSchedules(app, ctx, deps.now ? { now: deps.now } : {});
  const to =
    (handler: SurfaceHandler) => (context: { octokit: unknown; id: string; payload: unknown }) =>
      handler(ctx, {
        octokit: context.octokit as Octokit,
        deliveryId: context.id,
        payload: context.payload,
      });

  app.on("issue_comment.created", to(handleCommand));
  app.on("issues.edited", to(handleDashboardEdit));
  app.on(["check_run.requested_action", "check_run.rerequested"], to(handleCheckRun));
  app.on("push", (context) => schedules.onPush(context.octokit, context.payload));
  app.on(["star.created", "star.deleted", "fork"], (context) =>
    handleLiveFigures(
      { config: deps.config, refresh: deps.liveRefresh, log },
      { deliveryId: context.id, payload: context.payload },
    ),
  );

  return {
    async onRepositoriesAdded(input) {
      // The settings' `exclude` holds for the first back-fill too: read the file first.
      if (input.event === "installation") await schedules.readSettings(input.installationId);
      await startAutoBackfill(ctx, input);
    },
    scheduler: schedules.scheduler,
    async idle() {
      // Background replies may start runs' reporting and vice versa: settle both.
      for (let i = 0; i < 10; i++) {
        await tasks.idle();
        await reporter.idle();
      }
    },
    stop() {
      unsubscribe();
      reporter.stop();
      void schedules.scheduler.stop();
    },
  };
}
