import { setTimeout as delay } from "node:timers/promises";

/**
 * Waits `ms`; an abort ends the wait with the signal's own reason (node's timer rejects
 * with an AbortError instead), which is what the engine's, the gh-datapipe client's and
 * the GitHub reader's callers test for.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch((err) => {
    throw signal?.aborted ? signal.reason : err;
  });
}
