import { hostname } from "node:os";
import PQueue from "p-queue";
import type { Config } from "../config.js";
import type { Db } from "../db/index.js";
import type { BackfillSource } from "./backfill-source.js";
import { cancelRun } from "./cancel-run.js";
import { claimItem } from "./claim-item.js";
import { createPublisher } from "./create-publisher.js";
import { type CreatedRun, createRetryRun, createRun } from "./create-run.js";
import { createDatapipeClient, datapipeDefaults } from "./datapipe-client.js";
import type { EngineLog } from "./engine-log.js";
import { type HistorySource, runSources } from "./history-source.js";
import { findActiveRunId, findLastRunId, loadRun } from "./load-run.js";
import { nextWakeMs } from "./next-wake.js";
import { releaseWorkerLeases } from "./renew-lease.js";
import { setRunPaused } from "./set-run-paused.js";
import type { Engine, RequestResult } from "./types.js";
import { workItem } from "./work-item.js";
import { workerPresence } from "./worker-presence.js";

export type EngineConfig = Pick<
  Config,
  | "GH_DATPIPE_API_URL"
  | "GH_DATPIPE_KEY"
  | "BACKFILL_DELAY_MS"
  | "BACKFILL_CONCURRENCY"
  | "BACKFILL_POLL_INTERVAL_MS"
  | "BACKFILL_JOB_TIMEOUT_MS"
> &
  /** Unset: gh-datapipe only, as before GitHub was a source. */
  Partial<Pick<Config, "BACKFILL_SOURCE">>;

/** Knobs below the contract's variables; the defaults suit production, tests shorten them. */
export interface EngineTuning {
  /**
   * How long a claim holds without renewal. A worker whose process or session ended loses
   * its items at once (its presence lock is free); the lease is for a stalled living one.
   */
  leaseMs: number;
  /** Longest sleep when idle: how soon runs requested on another replica are picked up. */
  idleMs: number;
  /** Limit of one gh-datapipe call. */
  requestTimeoutMs: number;
  /** Further attempts of a gh-datapipe call after a transient failure. */
  retries: number;
  minRetryDelayMs: number;
  maxRetryDelayMs: number;
  maxRetryAfterMs: number;
}

export const engineDefaults: EngineTuning = {
  leaseMs: 30_000,
  idleMs: 1_000,
  requestTimeoutMs: datapipeDefaults.timeoutMs,
  retries: datapipeDefaults.retries,
  minRetryDelayMs: datapipeDefaults.minRetryDelayMs,
  maxRetryDelayMs: datapipeDefaults.maxRetryDelayMs,
  maxRetryAfterMs: datapipeDefaults.maxRetryAfterMs,
};

export interface EngineDeps {
  db: Db;
  config: EngineConfig;
  log: EngineLog;
  /** Names this process in leases; unique per process unless given. */
  workerId?: string;
  fetch?: typeof globalThis.fetch;
  /** Clock for job deadlines and the in-process pause (milliseconds). */
  now?: () => number;
  /** Another back-fill service in place of gh-datapipe. */
  source?: BackfillSource;
  /** GitHub as a source (contract §4b), read with the installation's token. */
  history?: HistorySource;
  tuning?: Partial<EngineTuning>;
}

/**
 * The back-fill engine. A loop claims items from the database (so any replica may work
 * any run, and a restart resumes where the last process stopped) and hands each to a
 * p-queue bounded by `BACKFILL_CONCURRENCY`; a worker follows its job to the end.
 * Consecutive triggers are `BACKFILL_DELAY_MS` apart within this process (a local gate)
 * and within each workspace across processes (`workspace_pacing`, see `pacing-store.ts`).
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
  const concurrency = config.BACKFILL_CONCURRENCY;
  const queue = new PQueue({ concurrency });
  const presence = workerPresence(db, workerId);

  let running = false;
  let loop: Promise<void> | null = null;
  let stopping = new AbortController();
  /** When this process may send its next trigger; Infinity while one is in flight. */
  let nextTriggerAt = Number.NEGATIVE_INFINITY;

  let woken = false;
  let wakeNow: (() => void) | null = null;
  const wake = () => {
    woken = true;
    wakeNow?.();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken) {
        woken = false;
        return resolve();
      }
      const done = () => {
        clearTimeout(timer);
        wakeNow = null;
        woken = false;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      wakeNow = done;
    });

  const work = {
    db,
    source,
    history: deps.history ?? null,
    log,
    workerId,
    leaseMs: tuning.leaseMs,
    delayMs: config.BACKFILL_DELAY_MS,
    pollIntervalMs: config.BACKFILL_POLL_INTERVAL_MS,
    jobTimeoutMs: config.BACKFILL_JOB_TIMEOUT_MS,
    now,
    get stopping() {
      return stopping.signal;
    },
    triggered(called: boolean) {
      nextTriggerAt = called ? now() + config.BACKFILL_DELAY_MS : now();
      wake();
    },
    changed: publisher.changed,
  };

  async function runLoop() {
    while (running) {
      if (queue.size + queue.pending >= concurrency) {
        await sleep(tuning.idleMs);
        continue;
      }
      const gateWait = nextTriggerAt - now();
      let claimed: Awaited<ReturnType<typeof claimItem>>;
      try {
        // Without its presence lock this worker would look dead: others would take over
        // what it claims, and trigger it again.
        if (!(await presence.ensure())) {
          log.warn({ workerId }, "Another session holds this worker's presence lock; waiting");
          await sleep(tuning.idleMs);
          continue;
        }
        claimed = await claimItem(db, {
          workerId,
          leaseMs: tuning.leaseMs,
          allowTrigger: gateWait <= 0,
          inFlightLimit: concurrency,
        });
      } catch (err) {
        log.error({ err }, "Could not claim back-fill work; trying again shortly");
        await sleep(tuning.idleMs);
        continue;
      }
      if (claimed) {
        if (claimed.needsTrigger) nextTriggerAt = Number.POSITIVE_INFINITY;
        if (claimed.previousStatus !== claimed.item.status) {
          publisher.changed(claimed.run, claimed.item, false);
        }
        const item = claimed;
        queue
          .add(() => workItem(work, item))
          .catch((err) => log.error({ err, itemId: item.item.id }, "Back-fill item work failed"))
          .finally(wake);
        continue;
      }
      let wait = tuning.idleMs;
      try {
        const dbWait = await nextWakeMs(db, workerId, concurrency);
        if (dbWait !== null) wait = Math.min(wait, dbWait);
      } catch (err) {
        log.warn({ err }, "Could not read when back-fill work is next due");
      }
      if (gateWait > 0) wait = Math.max(wait, Math.min(gateWait, tuning.idleMs));
      // Something claimable that another process holds locked for a moment: look again soon.
      await sleep(Math.max(wait, 5));
    }
  }

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
    async start() {
      if (running) return;
      running = true;
      stopping = new AbortController();
      if (deps.workerId) await releaseWorkerLeases(db, workerId);
      loop = runLoop();
    },

    async stop() {
      if (!running) return;
      running = false;
      wake();
      await loop;
      stopping.abort(new Error("The back-fill engine is stopping"));
      await queue.onIdle();
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
