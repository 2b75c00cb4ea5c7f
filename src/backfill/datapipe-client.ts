import pRetry, { AbortError } from "p-retry";
import type { z } from "zod";
import {
  type BackfillSource,
  BackfillError,
  type JobState,
  type TriggeredJob,
} from "./backfill-source.js";
import { CallError, statusAnswer, triggerAnswer } from "./datapipe-answers.js";
import { errorTexts } from "./error-texts.js";
import { abortableSleep } from "../shared/abortable-sleep.js";
import { parseFullName } from "../shared/full-name.js";
import { parseRetryAfter } from "../shared/parse-retry-after.js";

export interface DatapipeClientOptions {
  /** `GH_DATPIPE_API_URL`, without a trailing slash. */
  baseUrl: string;
  /** `GH_DATPIPE_KEY`; unset → every trigger fails without a call. */
  apiKey: string | undefined;
  fetch?: typeof globalThis.fetch;
  /** Limit of one HTTP call, body included. */
  timeoutMs?: number;
  /** Further attempts after a transient failure (429, 5xx, timeout, unreadable answer). */
  retries?: number;
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** A `Retry-After` longer than this gives up instead of holding a job slot that long. */
  maxRetryAfterMs?: number;
  now?: () => number;
}

export const datapipeDefaults = {
  timeoutMs: 15_000,
  retries: 4,
  minRetryDelayMs: 1_000,
  maxRetryDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
} as const;

/**
 * The gh-datapipe API (contract §4). Every call has a timeout, is retried with exponential
 * backoff and jitter when the failure is transient, and its answer is validated. The key
 * is sent as `X-API-Key` and scrubbed from any text that leaves this module.
 */
export function createDatapipeClient(options: DatapipeClientOptions): BackfillSource {
  const fetchFn = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? datapipeDefaults.timeoutMs;
  const retries = options.retries ?? datapipeDefaults.retries;
  const minTimeout = options.minRetryDelayMs ?? datapipeDefaults.minRetryDelayMs;
  const maxTimeout = Math.max(
    minTimeout,
    options.maxRetryDelayMs ?? datapipeDefaults.maxRetryDelayMs,
  );
  const maxRetryAfterMs = options.maxRetryAfterMs ?? datapipeDefaults.maxRetryAfterMs;
  const key = options.apiKey;

  const scrub = (text: string) => (key ? text.split(key).join("[redacted]") : text);

  /** A short, secret-free reason from an error answer's body, when it has one. */
  const detailOf = (body: string): string => {
    try {
      const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
      const text = typeof parsed.error === "string" ? parsed.error : parsed.message;
      if (typeof text === "string" && text.trim() !== "") {
        return `: ${scrub(text.trim()).slice(0, 200)}`;
      }
    } catch {}
    return "";
  };

  async function attempt<T>(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    schema: z.ZodType<T> | null,
    signal: AbortSignal | undefined,
  ): Promise<T | null> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const failed = (err: unknown, what: string): never => {
      if (signal?.aborted)
        throw new AbortError(signal.reason instanceof Error ? signal.reason : "aborted");
      if (timeout.aborted) {
        throw new CallError("transient", `gh-datapipe did not answer within ${timeoutMs} ms`);
      }
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message ?? "network error";
      throw new CallError("transient", scrub(`${what} (${why})`));
    };
    let response: Response;
    try {
      response = await fetchFn(`${options.baseUrl}${path}`, {
        method,
        headers: {
          "X-API-Key": key ?? "",
          Accept: "application/json",
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: combined,
      });
    } catch (err) {
      return failed(err, "could not reach gh-datapipe");
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      return failed(err, "gh-datapipe's answer was cut off");
    }
    const status = response.status;
    if (status === 429) {
      const wait = parseRetryAfter(response.headers.get("retry-after"), now());
      if (wait !== null && wait > maxRetryAfterMs) {
        throw new CallError(
          "rejected",
          `gh-datapipe is rate limiting (retry after ${Math.ceil(wait / 1000)} s)`,
        );
      }
      throw new CallError("transient", `gh-datapipe answered 429${detailOf(text)}`, wait);
    }
    if (status >= 500)
      throw new CallError("transient", `gh-datapipe answered ${status}${detailOf(text)}`);
    if (status === 404)
      throw new CallError("not-found", `gh-datapipe answered 404${detailOf(text)}`);
    if (status < 200 || status >= 300) {
      throw new CallError("rejected", `gh-datapipe answered ${status}${detailOf(text)}`);
    }
    if (schema === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CallError("transient", `gh-datapipe's answer is not JSON (HTTP ${status})`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join(".") : "answer";
      throw new CallError(
        "transient",
        `gh-datapipe's answer is unreadable (${where}: ${issue?.message})`,
      );
    }
    return parsed.data;
  }

  function call<T>(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    schema: z.ZodType<T> | null,
    signal: AbortSignal | undefined,
  ): Promise<T | null> {
    return pRetry(() => attempt(method, path, body, schema, signal), {
      retries,
      factor: 2,
      minTimeout,
      maxTimeout,
      randomize: true,
      signal,
      shouldRetry: ({ error }) => error instanceof CallError && error.kind === "transient",
      onFailedAttempt: async ({ error, retriesLeft }) => {
        // p-retry's own backoff follows; waiting the asked time first honours Retry-After.
        if (error instanceof CallError && error.retryAfterMs && retriesLeft > 0) {
          // An abort ends it with the caller's reason, as when p-retry itself is aborted.
          await abortableSleep(error.retryAfterMs, signal);
        }
      },
    });
  }

  const reasonOf = (err: unknown): CallError => {
    if (err instanceof CallError) return err;
    throw err;
  };

  return {
    async trigger(repository, days, signal): Promise<TriggeredJob> {
      if (!key) throw new BackfillError(errorTexts.missingKey, false, false);
      if (!parseFullName(repository)) throw new BackfillError(errorTexts.notFound, false, false);
      try {
        const answer = await call(
          "POST",
          "/api/backfill/trigger",
          { repository, days },
          triggerAnswer,
          signal,
        );
        return { jobId: answer!.job_id, status: answer!.status ?? "queued" };
      } catch (err) {
        const failure = reasonOf(err);
        if (failure.kind === "not-found") throw new BackfillError(errorTexts.notFound);
        throw new BackfillError(errorTexts.triggerFailed(failure.reason));
      }
    },

    async status(jobId, signal): Promise<JobState> {
      if (!key) throw new BackfillError(errorTexts.missingKey, false, false);
      try {
        const answer = await call(
          "GET",
          `/api/backfill/status/${encodeURIComponent(jobId)}`,
          undefined,
          statusAnswer,
          signal,
        );
        return {
          status: answer!.status,
          progress: answer!.progress ?? null,
          error: answer!.error ?? null,
        };
      } catch (err) {
        const failure = reasonOf(err);
        if (failure.kind === "not-found") {
          throw new BackfillError(errorTexts.jobFailed("job not found at gh-datapipe"));
        }
        if (failure.kind === "rejected")
          throw new BackfillError(errorTexts.jobFailed(failure.reason));
        throw new BackfillError(`Could not read the job's status: ${failure.reason}`, true);
      }
    },

    async cancel(jobId, signal): Promise<void> {
      if (!key) throw new BackfillError(errorTexts.missingKey, false, false);
      try {
        await call("POST", `/api/backfill/cancel/${encodeURIComponent(jobId)}`, {}, null, signal);
      } catch (err) {
        const failure = reasonOf(err);
        // A job gh-datapipe no longer knows is as good as cancelled.
        if (failure.kind === "not-found") return;
        throw new BackfillError(
          `Could not cancel the job: ${failure.reason}`,
          failure.kind === "transient",
        );
      }
    },
  };
}
