import { hostname } from "node:os";
import { cancelRun } from "./cancel-run.js";
import { createClaimLoop } from "./claim-loop.js";
import { createPublisher } from "./create-publisher.js";
import { type CreatedRun, createRetryRun, createRun } from "./create-run.js";
import { createDatapipeClient } from "./datapipe-client.js";
import type { EngineDeps } from "./engine-deps.js";
import { engineDefaults } from "./engine-tuning.js";
import { runSources } from "./history-source.js";
import { findActiveRunId, findLastRunId, loadRun } from "./load-run.js";
import { releaseWorkerLeases } from "./renew-lease.js";
import { setRunPaused } from "./set-run-paused.js";
import type { Engine, RequestResult } from "./types.js";
import { createWakeSignal } from "./wake-signal.js";
import { workerPresence } from "./worker-presence.js";

/**
 * The back-fill engine: run requests recorded in the database, and a claim loop
 * (`claim-loop.ts`) that works their items, any replica any run. Consecutive triggers are
 * `BACKFILL_DELAY_MS` apart within this process and within each workspace across
 * processes (`workspace_pacing`, see `pacing-store.ts`).
 */
export function createEngine(deps: EngineDeps): Engine {
  const { db, config, log } = deps;
  const tuning = { ...engineDefaults, ...deps.tuning };
  const now = deps.now ?? Date.now;
  const workerId =
    deps.workerId ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const source =
    deps.source ??
    createDatapipeClient({
      baseUrl: config.GH_DATPIPE_API_URL,
      apiKey: config.GH_DATPIPE_KEY,
      fetch: deps.fetch,
      timeoutMs: tuning.requestTimeoutMs,
      retries: tuning.retries,
      minRetryDelayMs: tuning.minRetryDelayMs,
      maxRetryDelayMs: tuning.maxRetryDelayMs,
      maxRetryAfterMs: tuning.maxRetryAfterMs,
      now,
    });
  const publisher = createPublisher(db, log);
  const presence = workerPresence(db, workerId);
  const signal = createWakeSignal();
  const loop = createClaimLoop({
    db,
    source,
    history: deps.history ?? null,
    log,
    workerId,
    leaseMs: tuning.leaseMs,
    idleMs: tuning.idleMs,
    concurrency: config.BACKFILL_CONCURRENCY,
    delayMs: config.BACKFILL_DELAY_MS,
    pollIntervalMs: config.BACKFILL_POLL_INTERVAL_MS,
    jobTimeoutMs: config.BACKFILL_JOB_TIMEOUT_MS,
    now,
    presence,
    signal,
    changed: publisher.changed,
  });
  const { wake } = signal;

  const result = async (created: CreatedRun): Promise<RequestResult> => {
    if (created.kind === "created") {
      const run = await publisher.started(created.runId);
      wake();
      return { kind: "created", run: run! };
    }
    const loaded = await loadRun(db, created.runId);
    return { kind: created.kind, run: loaded!.snapshot };
  };

  const cancelActive = async (installationId: number, requestedBy: string | null) => {
    const cancelled = await cancelRun(db, installationId);
    if (!cancelled) return null;
    log.info({ installationId, runId: cancelled.runId, requestedBy }, "Back-fill run cancelled");
    await Promise.all(
      cancelled.jobIds.map((jobId) =>
        source
          .cancel(jobId)
          .catch((err) =>
            log.warn({ err, jobId, runId: cancelled.runId }, "Could not cancel a job"),
          ),
      ),
    );
    return publisher.finished(cancelled.runId);
  };

  return {
    start() {
      // A fixed worker id takes back at once what its previous life held.
      return loop.start(deps.workerId ? () => releaseWorkerLeases(db, workerId) : undefined);
    },

    async stop() {
      if (!(await loop.stop())) return;
      await publisher.flush();
      await presence.release();
    },

    async request(request) {
      const created = await createRun(db, {
        installationId: request.installationId,
        days: request.days,
        // Read at request time: a change of BACKFILL_SOURCE leaves runs under way as they are.
        sources: runSources(config, deps.history !== undefined),
        fullHistory: request.fullHistory ?? false,
        source: request.source,
        requestedBy: request.requestedBy,
        repositories: request.repositories,
        deliveryId: request.deliveryId,
        event: request.event,
        action: request.action,
      });
      return result(created);
    },

    async retryFailed(installationId, options) {
      const created = await createRetryRun(db, installationId, {
        sources: runSources(config, deps.history !== undefined),
        requestedBy: options.requestedBy,
        deliveryId: options.deliveryId,
        event: options.event,
        action: options.action,
      });
      return created ? result(created) : { kind: "nothing" };
    },

    cancel: cancelActive,

    async activeRun(installationId) {
      const id = await findActiveRunId(db, installationId);
      return id === null ? null : ((await loadRun(db, id))?.snapshot ?? null);
    },

    async lastRun(installationId) {
      const id = await findLastRunId(db, installationId);
      return id === null ? null : ((await loadRun(db, id))?.snapshot ?? null);
    },

    async getRun(runId) {
      return (await loadRun(db, runId))?.snapshot ?? null;
    },

    async pause(installationId) {
      const runId = await setRunPaused(db, installationId, true);
      if (runId !== null) log.info({ installationId, runId }, "Back-fill run paused");
    },

    async resume(installationId) {
      const runId = await setRunPaused(db, installationId, false);
      if (runId !== null) log.info({ installationId, runId }, "Back-fill run resumed");
      wake();
    },

    async endWorkspace(installationId) {
      await cancelActive(installationId, null);
    },

    subscribe: publisher.subscribe,
  };
}
