import { createEngine, silentLog } from "../../src/backfill/index.js";
import type { Engine, EngineEvent, RunRequest } from "../../src/backfill/types.js";
import type { Db } from "../../src/db/index.js";
import { testConfig, testTuning } from "../backfill/harness.js";
import { createHeldSource, type HeldSource, type JobEnd } from "../fakes/held-source.js";

/**
 * The real engine over a source whose jobs end when the test says (`HeldSource`). Its
 * claim loop starts with the first `finishItem`, so a run's first report shows every
 * repository pending; from then on the engine works every item at once, each job held
 * until the test ends it, in any order.
 */
export interface TestEngine extends Engine {
  /** What the surfaces asked of `request`, in order. */
  readonly requests: RunRequest[];
  readonly source: HeldSource;
  /**
   * Ends the repository's job and resolves once the engine has announced the item's end
   * (and the run's, when it was the last), so every listener has heard of it.
   */
  finishItem(runId: number, fullName: string, end: JobEnd): Promise<void>;
}

export function createTestEngine(db: Db): TestEngine {
  const source = createHeldSource(db);
  const engine = createEngine({
    db,
    config: testConfig("http://127.0.0.1:9/unused", {
      BACKFILL_CONCURRENCY: 10,
      BACKFILL_DELAY_MS: 0,
      BACKFILL_POLL_INTERVAL_MS: 5,
    }),
    log: silentLog,
    source,
    tuning: testTuning,
  });
  const requests: RunRequest[] = [];
  const request = engine.request.bind(engine);
  return Object.assign(engine, {
    requests,
    source,
    request(r: RunRequest) {
      requests.push(r);
      return request(r);
    },
    async finishItem(runId: number, fullName: string, end: JobEnd) {
      const ended = new Promise<void>((resolve) => {
        const stop = engine.subscribe((event: EngineEvent) => {
          if (event.run.id !== runId) return;
          const last = event.run.done === event.run.total;
          const done =
            event.type === "run.finished" ||
            (!last &&
              event.type === "item.changed" &&
              event.item.fullName === fullName &&
              ["completed", "failed"].includes(event.item.status));
          if (done) {
            stop();
            resolve();
          }
        });
      });
      source.end(fullName, end);
      await engine.start();
      await ended;
    },
  });
}
