import type { Logger } from "probot";

/**
 * Work a webhook starts but must not wait for (Probot answers the delivery only when the
 * handler settles, and GitHub gives it 10 s). `idle()` lets tests and shutdown wait for it.
 */
export interface BackgroundTasks {
  run(name: string, fn: () => Promise<void>): void;
  /**
   * A queue of background tasks that run one after another in the order given (one
   * command's writes: 👀 first, then its reply). A failed task is logged; the next runs.
   */
  sequence(): (name: string, fn: () => Promise<void>) => void;
  idle(): Promise<void>;
}

export function createBackgroundTasks(log: Pick<Logger, "error">): BackgroundTasks {
  const pending = new Set<Promise<void>>();
  const run = (name: string, fn: () => Promise<void>): Promise<void> => {
    const p = Promise.resolve()
      .then(fn)
      .catch((err: unknown) => {
        log.error({ err, task: name }, `background task ${name} failed`);
      })
      .finally(() => pending.delete(p));
    pending.add(p);
    return p;
  };
  return {
    run(name, fn) {
      run(name, fn);
    },
    sequence() {
      let last: Promise<void> = Promise.resolve();
      return (name, fn) => {
        const before = last;
        last = run(name, async () => {
          await before;
          await fn();
        });
      };
    },
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
