import { setTimeout as sleep } from "node:timers/promises";

/** Longest a progress write waits for a command's 👀 (GitHub slow or throttled). */
const HOLD_LIMIT_MS = 10_000;

/**
 * Per installation: commands whose 👀 must reach GitHub before any progress write (the
 * engine announces a run before the command's handler learns of it).
 */
export function createWriteHolds() {
  const holds = new Map<number, Set<Promise<void>>>();
  return {
    /** Holds the installation's writes until the returned function is called. */
    hold(installationId: number): () => void {
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let set = holds.get(installationId);
      if (!set) {
        set = new Set();
        holds.set(installationId, set);
      }
      set.add(held);
      return () => {
        release();
        set.delete(held);
        if (set.size === 0 && holds.get(installationId) === set) holds.delete(installationId);
      };
    },
    /** Waits for the installation's holds to be released, at most HOLD_LIMIT_MS. */
    async heldBack(installationId: number): Promise<void> {
      const held = holds.get(installationId);
      if (!held || held.size === 0) return;
      const limit = new AbortController();
      await Promise.race([
        Promise.all(held),
        sleep(HOLD_LIMIT_MS, undefined, { signal: limit.signal }).catch(() => {}),
      ]);
      limit.abort();
    },
  };
}
