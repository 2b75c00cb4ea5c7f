import { randomBytes } from "node:crypto";
import type { Probot } from "probot";
import { createScheduler, type Firing, type Scheduler } from "../schedules/index.js";
import { handleSettingsPush, type PushPayload } from "./handle-settings-push.js";
import { type ConfigOctokit, readWorkspaceSettings } from "./read-workspace-settings.js";
import type { SurfaceContext } from "./surface-context.js";
import { refreshDashboard } from "./refresh-dashboard.js";
import { ensureTrackingIssue } from "./tracking-issue.js";

export interface ScheduleOptions {
  /** The clock the schedules are read with (tests pass their own). */
  now?: () => Date;
}

/**
 * Contract §7 on GitHub: the settings file re-read on a push, and the scheduler whose
 * firings read it again first, report their runs as commands' runs are reported, and say
 * on the dashboard when a due time was skipped. The scheduler is started by the caller.
 */
export function registerSchedules(
  app: Probot,
  ctx: SurfaceContext,
  options: ScheduleOptions = {},
): {
  scheduler: Scheduler;
  readSettings(installationId: number): Promise<void>;
  onPush(octokit: unknown, payload: unknown): Promise<void>;
} {
  const now = options.now ?? (() => new Date());
  const auth = async (installationId: number) =>
    (await app.auth(installationId)) as unknown as ConfigOctokit;

  /** A push to the default branch that may change the settings file (read there again). */
  const onPush = (octokit: unknown, payload: unknown) =>
    handleSettingsPush(ctx, {
      octokit: octokit as ConfigOctokit,
      payload: payload as PushPayload,
      now,
    });

  async function onFiring(firing: Firing) {
    if (firing.outcome === "started" && firing.run) {
      ctx.reporter.track(firing.run);
      return;
    }
    if (firing.outcome !== "skipped") return;
    ctx.log.info(
      {
        installationId: firing.installationId,
        dueAt: firing.dueAt.toISOString(),
        activeRun: firing.run?.id,
      },
      "scheduled run skipped: a run is active",
    );
    const octokit = await auth(firing.installationId);
    const deps = { db: ctx.db, octokit, lock: ctx.lock, log: ctx.log, config: ctx.config };
    const tracking = await ensureTrackingIssue(deps, firing.installationId);
    if (tracking)
      await refreshDashboard(deps, firing.installationId, tracking, { run: firing.run });
  }

  async function readSettings(installationId: number) {
    try {
      const octokit = await auth(installationId);
      const defer = (name: string, fn: () => Promise<void>) => ctx.tasks.run(name, fn);
      await readWorkspaceSettings(
        { db: ctx.db, octokit, config: ctx.config, lock: ctx.lock, log: ctx.log, now, defer },
        installationId,
      );
    } catch (err) {
      // GitHub unreachable: the last good settings (or the defaults) hold until the next read.
      ctx.log.warn(
        { installationId, reason: err instanceof Error ? err.message : String(err) },
        "settings file not read",
      );
    }
  }

  const scheduler = createScheduler({
    db: ctx.db,
    engine: ctx.engine,
    config: ctx.config,
    now,
    workerId: `schedules-${randomBytes(4).toString("hex")}`,
    async refreshSettings(installationId) {
      await readWorkspaceSettings(
        {
          db: ctx.db,
          octokit: await auth(installationId),
          config: ctx.config,
          lock: ctx.lock,
          log: ctx.log,
          now,
        },
        installationId,
      );
    },
    onFiring,
    log: ctx.log,
  });
  return { scheduler, readSettings, onPush };
}
