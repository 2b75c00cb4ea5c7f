import pRetry from "p-retry";
import { parseRetryAfter } from "../shared/parse-retry-after.js";
import type { GitHubRequest, GitHubResponse } from "./github-request.js";
import { HistoryError } from "./history-error.js";

export interface CallPolicy {
  now: () => number;
  /** Waits out a rate limit; injected so tests need no real waits. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Longest total rate-limit wait of one repository's read (BACKFILL_JOB_TIMEOUT_MS). */
  maxWaitMs: number;
  /** Further attempts after a 5xx or no answer. */
  retries: number;
  minRetryDelayMs: number;
  maxRetryDelayMs: number;
}

export const callDefaults = { retries: 3, minRetryDelayMs: 1_000, maxRetryDelayMs: 30_000 };

/** The calls of one repository's read, sharing one rate-limit wait budget. */
export interface Caller {
  call(route: string, params: Record<string, unknown>): Promise<GitHubResponse>;
  /** Requests sent so far (each attempt counts). */
  readonly requests: number;
  /** Milliseconds spent waiting out rate limits. */
  readonly waitedMs: number;
}

interface ErrorLike {
  status?: unknown;
  message?: unknown;
  response?: { headers?: Record<string, string | number | undefined> };
}

const statusOf = (err: unknown): number | null => {
  const status = (err as ErrorLike | null)?.status;
  return typeof status === "number" ? status : null;
};

/**
 * How long GitHub asks us to wait, or null when the error is no rate limit (contract §4b,
 * GitHub's "Rate limits for the REST API"): a `Retry-After` (secondary limits, 403 or 429);
 * `x-ratelimit-remaining: 0` until `x-ratelimit-reset` (primary, plus a second so the retry
 * lands after the reset); else a minute for a 429 or a 403 that names a secondary limit.
 */
export function rateLimitWaitMs(err: unknown, nowMs: number): number | null {
  const status = statusOf(err);
  if (status !== 403 && status !== 429) return null;
  const headers = (err as ErrorLike).response?.headers ?? {};
  const header = (name: string) => {
    const v = headers[name];
    return v === undefined ? undefined : String(v);
  };
  const retryAfter = parseRetryAfter(header("retry-after"), nowMs);
  if (retryAfter !== null) return retryAfter;
  const reset = Number(header("x-ratelimit-reset"));
  if (header("x-ratelimit-remaining") === "0" && Number.isFinite(reset)) {
    return Math.max(0, reset * 1000 - nowMs) + 1000;
  }
  const message = String((err as ErrorLike).message ?? "");
  if (status === 429 || /secondary rate limit/i.test(message)) return 60_000;
  return null;
}

/** 5xx and no answer at all are worth another attempt; 4xx are final. */
const transient = (err: unknown) => {
  if (err instanceof HistoryError) return false;
  const status = statusOf(err);
  return status === null || status >= 500;
};

/**
 * One repository's GitHub calls under the contract's policy. Rate limits are waited out
 * while the read's total wait fits `maxWaitMs`; 5xx and network failures are tried again
 * `retries` times (p-retry, exponential); anything else ends the read with
 * `GitHub history unavailable: <status> <reason>`.
 *
 * Probot's own plugins sit under `request`: its throttling plugin waits out a primary
 * limit itself (twice, then gives up) and only logs a secondary one, so a rate-limit error
 * reaching this code is one nobody has waited for yet — waiting here never doubles a wait.
 * Its retry plugin would retry 5xx three more times under every attempt here: each call
 * sets `request.retries: 0`, leaving the bound to this one policy.
 */
export function createCaller(
  request: GitHubRequest,
  policy: CallPolicy,
  signal?: AbortSignal,
): Caller {
  let requests = 0;
  let waitedMs = 0;

  const attempt = async (route: string, params: Record<string, unknown>) => {
    for (;;) {
      requests++;
      try {
        return await request(route, { ...params, request: { retries: 0, signal } });
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        const wait = rateLimitWaitMs(err, policy.now());
        if (wait === null) {
          if (transient(err)) throw err;
          throw HistoryError.fromStatus(statusOf(err)!);
        }
        if (waitedMs + wait > policy.maxWaitMs) {
          throw new HistoryError(statusOf(err), "rate limited for longer than the job timeout");
        }
        waitedMs += wait;
        await policy.sleep(wait, signal);
      }
    }
  };

  return {
    async call(route, params) {
      try {
        return await pRetry(() => attempt(route, params), {
          retries: policy.retries,
          factor: 2,
          minTimeout: policy.minRetryDelayMs,
          maxTimeout: policy.maxRetryDelayMs,
          randomize: true,
          signal,
          shouldRetry: ({ error }) => !signal?.aborted && transient(error),
        });
      } catch (err) {
        if (err instanceof HistoryError || signal?.aborted) throw err;
        const status = statusOf(err);
        if (status !== null) throw HistoryError.fromStatus(status);
        const reason = err instanceof Error ? err.message : String(err);
        throw new HistoryError(null, `no answer (${reason})`);
      }
    },
    get requests() {
      return requests;
    },
    get waitedMs() {
      return waitedMs;
    },
  };
}
