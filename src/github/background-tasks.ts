import type { Logger } from "probot";

/**
 * Work a webhook starts but must not wait for (Probot answers the delivery only when the
 * handler settles, and GitHub gives it 10 s). `idle()` lets tests and shutdown wait for it.
 */
export interface BackgroundTasks {
  run(name: string, fn: () => Promise<void>): void;
  idle(): Promise<void>;
}

export function createBackgroundTasks(log: Pick<Logger, "error">): BackgroundTasks {
  const pending = new Set<Promise<void>>();
  return {
    run(name, fn) {
      const p = Promise.resolve()
        .then(fn)
        .catch((err: unknown) => {
          log.error({ err, task: name }, `background task ${name} failed`);
        })
        .finally(() => pending.delete(p));
      pending.add(p);
    },
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
