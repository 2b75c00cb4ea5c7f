import type { Queryable } from "../db/index.js";
import type { EngineLog } from "./engine-log.js";
import { type LoadedRun, loadRun } from "./load-run.js";
import { type ItemRow, type RunRow, toItemSnapshot, toRunSnapshot } from "./run-rows.js";
import type { EngineEvent, EngineListener, RunSnapshot } from "./types.js";

export interface Publisher {
  subscribe(listener: EngineListener): () => void;
  /** A run was created: emits `run.started`. Resolves with the snapshot either way. */
  started(runId: number): Promise<RunSnapshot | null>;
  /** An item was written (`item.changed`, then `run.finished` when `runFinished`). */
  changed(run: RunRow, item: ItemRow, runFinished: boolean): void;
  /** A run ended outside an item change (cancel): emits `run.finished`. */
  finished(runId: number): Promise<RunSnapshot | null>;
  /** Waits for every event queued so far to be delivered. */
  flush(): Promise<void>;
}

/**
 * Turns writes into progress events carrying the full `RunSnapshot`. Each run's snapshot
 * is kept in memory with the run's `version`: a write that is exactly the next version is
 * patched in (O(items) in JS, no query); any gap means another replica wrote meanwhile and
 * the run is read again. Events go out in one queue, in the order writes reached it, and
 * a listener's error or rejection is logged, never passed back to the engine.
 */
export function createPublisher(db: Queryable, log: EngineLog): Publisher {
  const listeners = new Set<EngineListener>();
  const cache = new Map<number, LoadedRun>();
  let queue: Promise<void> = Promise.resolve();

  const enqueue = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work);
    queue = result.then(
      () => undefined,
      (err) => log.error({ err }, "Could not publish back-fill progress"),
    );
    return result;
  };

  const emit = (event: EngineEvent) => {
    for (const listener of listeners) {
      try {
        const pending = listener(event);
        if (pending && typeof pending.then === "function") {
          pending.then(undefined, (err) =>
            log.error(
              { err, event: event.type, runId: event.run.id },
              "A progress listener failed",
            ),
          );
        }
      } catch (err) {
        log.error({ err, event: event.type, runId: event.run.id }, "A progress listener failed");
      }
    }
  };

  const freeze = (loaded: LoadedRun): LoadedRun => {
    Object.freeze(loaded.snapshot.items);
    Object.freeze(loaded.snapshot);
    return loaded;
  };

  const reload = async (runId: number): Promise<LoadedRun | null> => {
    const loaded = await loadRun(db, runId);
    if (loaded) cache.set(runId, freeze(loaded));
    else cache.delete(runId);
    return loaded;
  };

  const current = async (run: RunRow, item: ItemRow): Promise<LoadedRun | null> => {
    const cached = cache.get(run.id);
    if (cached && cached.version >= run.version) return cached;
    if (!cached || cached.version + 1 !== run.version) return reload(run.id);
    const changed = Object.freeze(toItemSnapshot(item));
    const items = cached.snapshot.items.slice();
    const at =
      items[item.position - 1]?.id === item.id
        ? item.position - 1
        : items.findIndex((i) => i.id === item.id);
    if (at < 0) return reload(run.id);
    items[at] = changed;
    const next = freeze({ snapshot: toRunSnapshot(run, items), version: run.version });
    cache.set(run.id, next);
    return next;
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    started(runId) {
      return enqueue(async () => {
        const loaded = await reload(runId);
        if (loaded) emit({ type: "run.started", run: loaded.snapshot });
        return loaded?.snapshot ?? null;
      });
    },
    changed(run, item, runFinished) {
      if (listeners.size === 0) {
        // Nobody listens: keep no snapshot, which would only go stale.
        cache.delete(run.id);
        return;
      }
      void enqueue(async () => {
        const loaded = await current(run, item);
        if (!loaded) return;
        const snapshot = loaded.snapshot;
        const latest = snapshot.items.find((i) => i.id === item.id);
        if (latest) emit({ type: "item.changed", run: snapshot, item: latest });
        if (runFinished) {
          emit({ type: "run.finished", run: snapshot });
          cache.delete(run.id);
        }
      });
    },
    finished(runId) {
      return enqueue(async () => {
        const loaded = await loadRun(db, runId);
        cache.delete(runId);
        if (loaded) emit({ type: "run.finished", run: Object.freeze(loaded.snapshot) });
        return loaded?.snapshot ?? null;
      });
    },
    flush: () => queue,
  };
}
