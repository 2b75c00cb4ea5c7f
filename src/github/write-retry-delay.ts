import { parseRetryAfter } from "../shared/parse-retry-after.js";
import { statusOf } from "./github-api.js";

/** How a failed GitHub write is tried again. */
export interface WriteRetry {
  /** Tries in all, the first included. */
  attempts: number;
  /** The first wait when GitHub says nothing; doubled for each further failure. */
  minDelayMs: number;
  maxDelayMs: number;
  /** The longest `Retry-After` (or rate-limit reset) honoured as it is. */
  maxRetryAfterMs: number;
}

// Probot retries 5xx itself but leaves secondary rate limits (403) to the caller, usually
// without a Retry-After. 1 s, 2 s, 4 s … 60 s: eight tries span about two minutes, enough
// for the secondary limit to lift, and the first retry comes soon enough that a run's last
// progress write is seldom late by more than a second or two.
export const writeRetryDefaults: WriteRetry = {
  attempts: 8,
  minDelayMs: 1_000,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 15 * 60_000,
};

type Headers = Record<string, string | number | undefined>;

function headersOf(err: unknown): Headers {
  const headers = (err as { response?: { headers?: unknown } } | null)?.response?.headers;
  return headers && typeof headers === "object" ? (headers as Headers) : {};
}

/**
 * Whether trying again can help: no answer at all (network, database), a server error, a
 * timeout, or a rate limit (429, or a 403 that says so). Other 4xx (a deleted comment, a
 * permission taken away) and faults of our own would fail the same way again.
 */
export function isRetryableWrite(err: unknown): boolean {
  const status = statusOf(err);
  // A fault in our own code fails the same way every time (Octokit reports network
  // failures as status 500, and database errors are not TypeErrors).
  if (status === undefined) return !(err instanceof TypeError || err instanceof RangeError);
  if (status >= 500 || status === 408 || status === 429) return true;
  if (status !== 403) return false;
  const headers = headersOf(err);
  return (
    headers["retry-after"] !== undefined ||
    String(headers["x-ratelimit-remaining"]) === "0" ||
    /rate limit/i.test(err instanceof Error ? err.message : "")
  );
}

/**
 * How long to wait before try number `failures + 1` after `failures` failed ones; null
 * when the error is not worth another try or the tries are used up. GitHub's own word
 * (`Retry-After`, else the primary limit's reset time) wins over the backoff.
 */
export function writeRetryDelay(
  err: unknown,
  failures: number,
  policy: WriteRetry,
  nowMs: number,
): number | null {
  if (failures >= policy.attempts || !isRetryableWrite(err)) return null;
  const headers = headersOf(err);
  const asked = parseRetryAfter(headers["retry-after"], nowMs);
  if (asked !== null) return Math.min(asked, policy.maxRetryAfterMs);
  const reset = Number(headers["x-ratelimit-reset"]);
  if (String(headers["x-ratelimit-remaining"]) === "0" && Number.isFinite(reset) && reset > 0) {
    return Math.min(Math.max(0, reset * 1000 - nowMs), policy.maxRetryAfterMs);
  }
  return Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** Math.max(0, failures - 1));
}
