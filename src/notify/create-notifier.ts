import { setTimeout as delay } from "node:timers/promises";
import { randomBytes } from "node:crypto";
import pRetry, { AbortError } from "p-retry";
import type { Engine } from "../backfill/types.js";
import type { Config } from "../config.js";
import type { Db } from "../db/index.js";
import { loadRunEnd, renderRunEnd } from "./compose-message.js";
import {
  type Channel,
  claimMessages,
  keepMessage,
  markFailed,
  markRetry,
  markSent,
  type OutboxEntry,
  setChannels,
} from "./outbox-store.js";
import { type Fetch, HookError, postHook } from "./post-hook.js";

export interface NotifierTuning {
  /** How often the outbox is looked at (a run's end here also wakes it at once). */
  pollMs: number;
  /** A claimed message stays this process's for this long; it outlasts one send's tries. */
  leaseMs: number;
  /** Tries after the first within one claim, with exponential backoff from `minTimeoutMs`. */
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  /** One request's limit. */
  requestTimeoutMs: number;
  /** A 429's Retry-After up to this is waited out in place; a longer one reschedules. */
  inlineRetryAfterMs: number;
  /** When a claim's tries are spent: the wait before the next claim, doubling, capped. */
  laterMs: number;
  laterMaxMs: number;
}

// 1 + 2 + 4 + 8 s of backoff and five requests of at most 10 s: inside the 2-minute lease.
export const notifierDefaults: NotifierTuning = {
  pollMs: 5_000,
  leaseMs: 120_000,
  retries: 4,
  minTimeoutMs: 1_000,
  maxTimeoutMs: 8_000,
  requestTimeoutMs: 10_000,
  inlineRetryAfterMs: 30_000,
  laterMs: 60_000,
  laterMaxMs: 3_600_000,
};

export interface NotifierDeps {
  db: Db;
  config: Partial<Pick<Config, "NOTIFY_SLACK_WEBHOOK_URL" | "NOTIFY_DISCORD_WEBHOOK_URL">>;
  /** `https://github.com`, or the GitHub Enterprise host the links point to. */
  webBase: string;
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
  /** Its run ends wake the notifier at once rather than at the next poll. */
  engine?: Pick<Engine, "subscribe">;
  fetch?: Fetch;
  tuning?: Partial<NotifierTuning>;
  workerId?: string;
}

export interface Notifier {
  /** Records the configured channels and starts sending; resolves once they are recorded. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sends what is due now; resolves with the number of messages sent (tests). */
  tick(): Promise<number>;
}

/**
 * Contract §7: each run's end posted once to each configured hook. Messages come from the
 * outbox the run's end wrote, so a kill between the end and the send loses nothing, and a
 * sent message is marked in the database, so it is not sent again. One case remains: a
 * process killed while the hook is answering cannot know whether it was delivered; the
 * message is then sent again (the hooks take no idempotency key).
 */
export function createNotifier(deps: NotifierDeps): Notifier {
  const tuning = { ...notifierDefaults, ...deps.tuning };
  const workerId = deps.workerId ?? `notify-${randomBytes(4).toString("hex")}`;
  const fetchFn = deps.fetch ?? fetch;
  const urls = new Map<Channel, string>();
  if (deps.config.NOTIFY_SLACK_WEBHOOK_URL) urls.set("slack", deps.config.NOTIFY_SLACK_WEBHOOK_URL);
  if (deps.config.NOTIFY_DISCORD_WEBHOOK_URL)
    urls.set("discord", deps.config.NOTIFY_DISCORD_WEBHOOK_URL);
  const channels = [...urls.keys()];
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let again = false;
  let unsubscribe: (() => void) | null = null;

  async function send(entry: OutboxEntry): Promise<boolean> {
    const url = urls.get(entry.channel)!;
    let message = entry.message;
    if (message === null) {
      const end = await loadRunEnd(deps.db, entry.runId, deps.webBase);
      if (!end) {
        await markFailed(deps.db, entry.id, workerId, { attempts: 0, error: "run not found" });
        return false;
      }
      message = await keepMessage(deps.db, entry.id, renderRunEnd(entry.channel, end));
    }
    let attempts = 0;
    try {
      await pRetry(
        async () => {
          attempts++;
          try {
            await postHook(fetchFn, url, entry.channel, message, tuning.requestTimeoutMs);
          } catch (err) {
            const e = err as HookError;
            if (!e.retryable || (e.retryAfterMs ?? 0) > tuning.inlineRetryAfterMs)
              throw new AbortError(e);
            throw e;
          }
        },
        {
          retries: tuning.retries,
          minTimeout: tuning.minTimeoutMs,
          maxTimeout: tuning.maxTimeoutMs,
          randomize: true,
          signal: stopping.signal,
          async onFailedAttempt({ error, attemptNumber, retriesLeft }) {
            deps.log.warn(
              {
                runId: entry.runId,
                channel: entry.channel,
                attempt: attemptNumber,
                retriesLeft,
                reason: error.message,
              },
              "run notification not delivered yet",
            );
            const wait = (error as HookError).retryAfterMs;
            if (wait && retriesLeft > 0) await delay(wait);
          },
        },
      );
    } catch (err) {
      const e = (err instanceof AbortError ? err.originalError : err) as Error;
      const hook = e instanceof HookError ? e : null;
      if (hook && !hook.retryable) {
        await markFailed(deps.db, entry.id, workerId, { attempts, error: hook.message });
        deps.log.error(
          { runId: entry.runId, channel: entry.channel, reason: hook.message },
          "run notification refused; not tried again",
        );
        return false;
      }
      const later = Math.min(
        tuning.laterMaxMs,
        tuning.laterMs * 2 ** Math.floor((entry.attempts + attempts) / 5),
      );
      const delayMs = Math.max(later, hook?.retryAfterMs ?? 0);
      // Only our own messages: a fetch error's cause could name the URL.
      await markRetry(deps.db, entry.id, workerId, {
        attempts,
        delayMs,
        error: hook?.message ?? "send interrupted",
      });
      return false;
    }
    await markSent(deps.db, entry.id, workerId, attempts);
    deps.log.info(
      { runId: entry.runId, channel: entry.channel, attempts },
      "run notification sent",
    );
    return true;
  }

  async function once(): Promise<number> {
    if (channels.length === 0) return 0;
    let sent = 0;
    for (;;) {
      again = false;
      const entries = await claimMessages(deps.db, {
        channels,
        workerId,
        leaseMs: tuning.leaseMs,
        limit: 10,
      });
      for (const entry of entries) if (await send(entry)) sent++;
      if (entries.length === 0 && !again) return sent;
      if (stopping.signal.aborted) return sent;
    }
  }

  function tick(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = once().finally(() => {
      running = null;
    });
    return running;
  }

  function loop() {
    tick()
      .catch((err: unknown) => deps.log.error({ err }, "sending run notifications failed"))
      .finally(() => {
        if (timer) timer = setTimeout(loop, tuning.pollMs);
      });
  }

  return {
    async start() {
      await setChannels(deps.db, channels);
      if (channels.length === 0) return;
      unsubscribe =
        deps.engine?.subscribe((event) => {
          if (event.type === "run.finished") void tick().catch(() => {});
        }) ?? null;
      timer = setTimeout(loop, 0);
    },
    async stop() {
      stopping.abort();
      unsubscribe?.();
      if (timer) clearTimeout(timer);
      timer = null;
      await running?.catch(() => {});
    },
    tick,
  };
}
