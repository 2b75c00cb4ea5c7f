import type { Queryable } from "../db/index.js";
import { foldMetrics, reconcileMetricsMembers } from "./fold-metrics.js";

export interface MetricsMaintenance {
  /** One round now (tests, shutdown); resolves when it is done. */
  runOnce(): Promise<{ folded: number; membershipChanges: number }>;
  stop(): Promise<void>;
}

export interface MetricsMaintenanceOptions {
  db: Queryable;
  log?: { warn(obj: object, msg: string): void };
  /** Pause between rounds; default 5 s. Answers are exact meanwhile (the tail is read). */
  intervalMs?: number;
}

/**
 * The background half of the metrics storage: every `intervalMs` it folds the tail into
 * the rollups and reconciles workspace memberships. Every replica may run it; the
 * watermark row's lock lets one round through at a time and the others skip.
 */
export function startMetricsMaintenance(options: MetricsMaintenanceOptions): MetricsMaintenance {
  const interval = options.intervalMs ?? 5000;
  let running: Promise<{ folded: number; membershipChanges: number }> | null = null;
  let stopped = false;
  const round = async () => {
    const folded = await foldMetrics(options.db);
    const membershipChanges = await reconcileMetricsMembers(options.db);
    return { folded, membershipChanges };
  };
  const runOnce = () => {
    running ??= round().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => {
    if (stopped) return;
    runOnce().catch((err: unknown) =>
      options.log?.warn({ err }, "metrics maintenance failed; the next round tries again"),
    );
  }, interval);
  timer.unref();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
