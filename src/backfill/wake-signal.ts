/** A sleep that a `wake()` ends early; a wake while awake ends the next sleep at once. */
export interface WakeSignal {
  wake(): void;
  sleep(ms: number): Promise<void>;
}

/**
 * The claim loop's one sleep: new work (a run requested, an item ended, a trigger
 * returned) wakes it at once instead of after its idle wait. A wake that comes while the
 * loop is busy is kept, so the loop never sleeps through it.
 */
export function createWakeSignal(): WakeSignal {
  let woken = false;
  let wakeNow: (() => void) | null = null;
  return {
    wake() {
      woken = true;
      wakeNow?.();
    },
    sleep: (ms) =>
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
      }),
  };
}
