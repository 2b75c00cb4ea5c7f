import { type FireDeps, type Firing, fireDueSchedules } from "./fire-due-schedules.js";

/** Contract §7: a schedule fires within 30 s of its due time; a look every 10 s keeps well inside. */
export const SCHEDULE_TICK_MS = 10_000;
/** A firing reads one file and records one run: a minute is ample, and a crash costs at most that. */
export const SCHEDULE_LEASE_MS = 60_000;

export interface SchedulerDeps extends Omit<FireDeps, "leaseMs"> {
  leaseMs?: number;
  tickMs?: number;
  /** After each firing: report the run, or rewrite the dashboard for a skipped one. */
  onFiring?(firing: Firing): Promise<void> | void;
  log: FireDeps["log"] & { error(obj: object, msg: string): void };
}

export interface Scheduler {
  /** Looks for due schedules now and every `tickMs` until stopped. */
  start(): void;
  stop(): Promise<void>;
  /** One look (tests drive this with their own clock). */
  tick(): Promise<Firing[]>;
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const fireDeps: FireDeps = { ...deps, leaseMs: deps.leaseMs ?? SCHEDULE_LEASE_MS };
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<Firing[]> | null = null;

  async function once(): Promise<Firing[]> {
    const firings = await fireDueSchedules(fireDeps);
    for (const firing of firings) {
      try {
        await deps.onFiring?.(firing);
      } catch (err) {
        deps.log.error(
          { err, installationId: firing.installationId },
          "reporting a scheduled firing failed",
        );
      }
    }
    return firings;
  }

  function tick(): Promise<Firing[]> {
    // One look at a time per process: a slow GitHub must not stack ticks up.
    running ??= once().finally(() => {
      running = null;
    });
    return running;
  }

  function loop() {
    tick()
      .catch((err: unknown) => deps.log.error({ err }, "looking for due schedules failed"))
      .finally(() => {
        if (timer) timer = setTimeout(loop, deps.tickMs ?? SCHEDULE_TICK_MS);
      });
  }

  return {
    start() {
      if (timer) return;
      timer = setTimeout(loop, 0);
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      await running?.catch(() => {});
    },
    tick,
  };
}
