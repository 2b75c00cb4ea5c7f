import PQueue from "p-queue";
import type { Db } from "../db/index.js";
import { claimItem } from "./claim-item.js";
import type { EngineLog } from "./engine-log.js";
import { nextWakeMs } from "./next-wake.js";
import type { WakeSignal } from "./wake-signal.js";
import { type WorkItemDeps, workItem } from "./work-item.js";
import type { WorkerPresence } from "./worker-presence.js";

export interface ClaimLoopDeps
  extends Omit<WorkItemDeps, "db" | "log" | "workerId" | "leaseMs" | "stopping" | "triggered"> {
  db: Db;
  log: EngineLog;
  workerId: string;
  leaseMs: number;
  /** Longest sleep when idle. */
  idleMs: number;
  /** Items worked at once by this process (`BACKFILL_CONCURRENCY`). */
  concurrency: number;
  /** This worker's presence lock, held while it claims. */
  presence: WorkerPresence;
  signal: WakeSignal;
}

export interface ClaimLoop {
  /** Starts claiming (once `prepare` is done, if given); nothing when already started. */
  start(prepare?: () => Promise<void>): Promise<void>;
  /**
   * Ends the loop, hands back what it holds, and waits for its workers to stop. False when
   * it was not running.
   */
  stop(): Promise<boolean>;
}

/**
 * Claims items from the database (so any replica may work any run, and a restart resumes
 * where the last process stopped) and hands each to a p-queue bounded by `concurrency`; a
 * worker follows its job to the end. Consecutive triggers are `delayMs` apart within this
 * process (a local gate); across processes the claim's pacing row keeps the pause.
 */
export function createClaimLoop(deps: ClaimLoopDeps): ClaimLoop {
  const { db, log, workerId, concurrency, now, presence, signal } = deps;
  const queue = new PQueue({ concurrency });
  let running = false;
  let loop: Promise<void> | null = null;
  let stopping = new AbortController();
  /** When this process may send its next trigger; Infinity while one is in flight. */
  let nextTriggerAt = Number.NEGATIVE_INFINITY;

  const work: WorkItemDeps = {
    ...deps,
    get stopping() {
      return stopping.signal;
    },
    triggered(called: boolean) {
      nextTriggerAt = called ? now() + deps.delayMs : now();
      signal.wake();
    },
  };

  async function runLoop() {
    while (running) {
      if (queue.size + queue.pending >= concurrency) {
        await signal.sleep(deps.idleMs);
        continue;
      }
      const gateWait = nextTriggerAt - now();
      let claimed: Awaited<ReturnType<typeof claimItem>>;
      try {
        // Without its presence lock this worker would look dead: others would take over
        // what it claims, and trigger it again.
        if (!(await presence.ensure())) {
          log.warn({ workerId }, "Another session holds this worker's presence lock; waiting");
          await signal.sleep(deps.idleMs);
          continue;
        }
        claimed = await claimItem(db, {
          workerId,
          leaseMs: deps.leaseMs,
          allowTrigger: gateWait <= 0,
          inFlightLimit: concurrency,
        });
      } catch (err) {
        log.error({ err }, "Could not claim back-fill work; trying again shortly");
        await signal.sleep(deps.idleMs);
        continue;
      }
      if (claimed) {
        if (claimed.needsTrigger) nextTriggerAt = Number.POSITIVE_INFINITY;
        if (claimed.previousStatus !== claimed.item.status) {
          deps.changed(claimed.run, claimed.item, false);
        }
        const item = claimed;
        queue
          .add(() => workItem(work, item))
          .catch((err) => log.error({ err, itemId: item.item.id }, "Back-fill item work failed"))
          .finally(signal.wake);
        continue;
      }
      let wait = deps.idleMs;
      try {
        const dbWait = await nextWakeMs(db, workerId, concurrency);
        if (dbWait !== null) wait = Math.min(wait, dbWait);
      } catch (err) {
        log.warn({ err }, "Could not read when back-fill work is next due");
      }
      if (gateWait > 0) wait = Math.max(wait, Math.min(gateWait, deps.idleMs));
      // Something claimable that another process holds locked for a moment: look again soon.
      await signal.sleep(Math.max(wait, 5));
    }
  }

  return {
    async start(prepare) {
      if (running) return;
      running = true;
      stopping = new AbortController();
      // Without `prepare` the loop's first claim goes out in this very turn.
      if (prepare) await prepare();
      loop = runLoop();
    },

    async stop() {
      if (!running) return false;
      running = false;
      signal.wake();
      await loop;
      stopping.abort(new Error("The back-fill engine is stopping"));
      await queue.onIdle();
      return true;
    },
  };
}
