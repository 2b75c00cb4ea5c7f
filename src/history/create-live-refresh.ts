import type { Db } from "../db/index.js";
import type { HistoryReader } from "./create-history-reader.js";
import {
  claimRefreshes,
  finishRefresh,
  type RefreshRequest,
  recordRefresh,
} from "./refresh-queue.js";

export interface LiveRefreshLog {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface LiveRefreshDeps {
  db: Db;
  reader: HistoryReader;
  /** GITHUB_REFRESH_DEBOUNCE_MS. */
  debounceMs: number;
  log: LiveRefreshLog;
  /** The clock for due times (ms); tests move it instead of waiting. */
  now?: () => number;
  /** How often the loop looks for due reads. */
  sweepEveryMs?: number;
  /** How long a claimed read is this process's before another may take it over. */
  leaseMs?: number;
}

export interface LiveRefresh {
  /** The webhook's part: records the ask and returns (false: not a workspace repository). */
  request(request: RefreshRequest): Promise<boolean>;
  /** Reads everything due now; resolves with the number of repositories read. */
  sweep(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Live figures (contract §3): a `star` or `fork` webhook only records that the
 * repository's newest figures are wanted; a loop in every replica claims what is due and
 * reads it. So a burst of webhooks costs one read per repository per debounce time,
 * whichever replica receives them, and the webhook is answered at once.
 */
export function createLiveRefresh(deps: LiveRefreshDeps): LiveRefresh {
  const now = deps.now ?? Date.now;
  const sweepEveryMs = deps.sweepEveryMs ?? Math.min(5_000, Math.max(100, deps.debounceMs / 4));
  const leaseMs = deps.leaseMs ?? 10 * 60_000;
  let timer: NodeJS.Timeout | null = null;
  let sweeping: Promise<number> | null = null;
  const stopping = new AbortController();
  // Due a sweep early, so the read lands within the debounce time of the first webhook.
  const delayMs = Math.max(0, deps.debounceMs - sweepEveryMs);

  async function sweepOnce(): Promise<number> {
    let read = 0;
    for (;;) {
      const claimed = await claimRefreshes(deps.db, { nowMs: now(), leaseMs, limit: 10 });
      if (claimed.length === 0) return read;
      for (const c of claimed) {
        if (stopping.signal.aborted) return read;
        const context = { installationId: c.installationId, repository: `${c.owner}/${c.name}` };
        try {
          const result = await deps.reader.read(
            c.installationId,
            c,
            { days: 1, all: false },
            stopping.signal,
          );
          deps.log.info({ ...context, ...result }, "GitHub figures read again after a webhook");
        } catch (err) {
          if (stopping.signal.aborted) return read;
          // The figures stay as last read; the next webhook asks again.
          deps.log.warn({ err, ...context }, "Could not read GitHub figures again");
        }
        await finishRefresh(deps.db, c, { nowMs: now(), debounceMs: delayMs });
        read++;
      }
    }
  }

  const sweep = () => {
    sweeping ??= sweepOnce().finally(() => {
      sweeping = null;
    });
    return sweeping;
  };

  return {
    request: (request) => recordRefresh(deps.db, request, { nowMs: now(), debounceMs: delayMs }),
    sweep,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        sweep().catch((err) => deps.log.error({ err }, "Could not sweep GitHub refreshes"));
      }, sweepEveryMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      stopping.abort(new Error("stopping"));
      await sweeping?.catch(() => 0);
    },
  };
}
