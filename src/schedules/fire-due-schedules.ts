import type { Engine, RepositoryRef, RunSnapshot } from "../backfill/types.js";
import type { Config } from "../config.js";
import type { Db } from "../db/index.js";
import { getWorkspaceMetrics } from "../metrics/index.js";
import { getWorkspace, listRepositories } from "../workspaces/index.js";
import { nextDue, scheduleKey } from "./next-due.js";
import {
  claimDueSchedules,
  type DueSchedule,
  type FiringOutcome,
  finishFiring,
} from "./schedule-store.js";
import { loadSettings } from "./settings-store.js";
import { isExcluded, scheduledDays, type WorkspaceSettings } from "./workspace-settings.js";

/** Velocity compares two 30-day windows: `only_gaps` judges coverage over those 60 days. */
const GAP_WINDOW_DAYS = 30;

export interface Firing {
  installationId: number;
  dueAt: Date;
  outcome: FiringOutcome;
  /** The run started, or the active run that made this due time skip. */
  run: RunSnapshot | null;
  /** The run was created by this firing (not found standing from an earlier try). */
  created: boolean;
}

export interface FireDeps {
  db: Db;
  engine: Pick<Engine, "request">;
  config: Pick<Config, "BACKFILL_DEFAULT_DAYS" | "BACKFILL_MAX_DAYS">;
  now: () => Date;
  workerId: string;
  /** How long a claimed schedule stays this worker's; a crashed worker's is free after it. */
  leaseMs: number;
  /** Reads the file again before the run (contract §7); on failure the last good settings hold. */
  refreshSettings(installationId: number): Promise<void>;
  log: { warn(obj: object, msg: string): void };
}

/**
 * Fires every schedule due by now, once per due time: the claim is a leased row, and the
 * run's idempotency key is (workspace, due time), so a replica that crashed after asking
 * and one that takes its lease over create one run between them.
 */
export async function fireDueSchedules(deps: FireDeps): Promise<Firing[]> {
  const due = await claimDueSchedules(deps.db, {
    now: deps.now(),
    workerId: deps.workerId,
    leaseMs: deps.leaseMs,
    limit: 20,
  });
  const firings: Firing[] = [];
  for (const claimed of due) {
    const firing = await fireOne(deps, claimed);
    if (firing) firings.push(firing);
  }
  return firings;
}

async function fireOne(deps: FireDeps, claimed: DueSchedule): Promise<Firing | null> {
  const { installationId, dueAt } = claimed;
  const workspace = await getWorkspace(deps.db, installationId);
  if (!workspace || workspace.status === "deleted") {
    // Uninstalled: the schedule stops; a new installation reads the file and starts it again.
    await finishFiring(deps.db, {
      ...claimed,
      workerId: deps.workerId,
      nextDueAt: null,
      outcome: "nothing",
      runId: null,
    });
    return null;
  }
  try {
    await deps.refreshSettings(installationId);
  } catch (err) {
    deps.log.warn(
      { installationId, reason: err instanceof Error ? err.message : String(err) },
      "settings not read again before the scheduled run; the last good ones hold",
    );
  }
  const { settings } = await loadSettings(deps.db, installationId);
  if (
    !settings.schedule ||
    scheduleKey(settings.schedule, settings.timezone) !== claimed.scheduleKey
  ) {
    // The schedule changed meanwhile: the new one has its own due time.
    await finishFiring(deps.db, {
      ...claimed,
      workerId: deps.workerId,
      nextDueAt: null,
      outcome: null,
      runId: null,
    });
    return null;
  }
  let firing: Firing;
  try {
    firing = await request(deps, claimed, settings);
  } catch (err) {
    // The lease runs out and another try follows; the idempotency key keeps it to one run.
    deps.log.warn(
      {
        installationId,
        dueAt: dueAt.toISOString(),
        reason: err instanceof Error ? err.message : String(err),
      },
      "scheduled run not started; trying again when the claim expires",
    );
    return null;
  }
  await finishFiring(deps.db, {
    ...claimed,
    workerId: deps.workerId,
    // Past the present, not past the due time: times missed while down fire once.
    nextDueAt: nextDue(settings.schedule, settings.timezone, deps.now()),
    outcome: firing.outcome,
    runId: firing.run?.id ?? null,
  });
  return firing;
}

async function request(
  deps: FireDeps,
  claimed: DueSchedule,
  settings: WorkspaceSettings,
): Promise<Firing> {
  const { installationId, dueAt } = claimed;
  const repositories = await chooseRepositories(deps, installationId, settings);
  const base = { installationId, dueAt, run: null, created: false };
  if (repositories.length === 0) return { ...base, outcome: "nothing" };
  try {
    const result = await deps.engine.request({
      installationId,
      ...scheduledDays(settings, deps.config),
      source: "schedule",
      requestedBy: null,
      repositories,
      deliveryId: `schedule:${installationId}:${dueAt.toISOString()}`,
      event: "schedule",
      action: null,
    });
    if (result.kind !== "active") {
      return { ...base, outcome: "started", run: result.run, created: result.kind === "created" };
    }
    return { ...base, outcome: "skipped", run: result.run };
  } catch (err) {
    // A workspace the engine refuses (uninstalled meanwhile): nothing to run.
    if (err instanceof Error && err.name === "RunRequestError")
      return { ...base, outcome: "nothing" };
    throw err;
  }
}

/** The workspace's repositories minus `exclude`; with `only_gaps`, those whose coverage has gaps. */
async function chooseRepositories(
  deps: FireDeps,
  installationId: number,
  settings: WorkspaceSettings,
): Promise<RepositoryRef[]> {
  const repositories = (await listRepositories(deps.db, installationId)).filter(
    (r) => !isExcluded(settings, r.fullName),
  );
  if (!settings.only_gaps || repositories.length === 0) {
    return repositories.map((r) => ({
      owner: r.owner,
      name: r.name,
      repositoryId: r.repositoryId,
    }));
  }
  const metrics = await getWorkspaceMetrics(deps.db, installationId, {
    days: GAP_WINDOW_DAYS,
    now: deps.now(),
    uniqueActors: false,
  });
  const gaps = new Set(
    (metrics?.coverage ?? []).filter((c) => c.needsBackfill).map((c) => c.repository.toLowerCase()),
  );
  return repositories
    .filter((r) => gaps.has(r.fullName.toLowerCase()))
    .map((r) => ({ owner: r.owner, name: r.name, repositoryId: r.repositoryId }));
}
