/**
 * What the engine needs from a back-fill service. gh-datapipe is the first; GitHub's own
 * stargazer/fork history will plug in beside it behind the same three calls.
 */

export type JobStatus = "queued" | "running" | "completed" | "failed" | "cancelled";

export interface TriggeredJob {
  jobId: string;
  status: string;
}

export interface JobState {
  status: JobStatus;
  progress: number | null;
  error: string | null;
}

export interface BackfillSource {
  /** Starts a job; rejects with a `BackfillError` carrying the text shown to users. */
  trigger(repository: string, days: number, signal?: AbortSignal): Promise<TriggeredJob>;
  /** Reads a job's state; a `BackfillError` with `transient` set means "ask again later". */
  status(jobId: string, signal?: AbortSignal): Promise<JobState>;
  cancel(jobId: string, signal?: AbortSignal): Promise<void>;
}

/**
 * A failure whose message is what the repository's row shows (contract §4). `transient`
 * marks failures worth another attempt (rate limits, 5xx, timeouts, unreadable answers).
 */
export class BackfillError extends Error {
  override name = "BackfillError";
  constructor(
    message: string,
    readonly transient = false,
    /** False when the failure came before any call (missing key, malformed name). */
    readonly called = true,
  ) {
    super(message);
  }
}

export const TERMINAL_JOB_STATUSES: ReadonlySet<JobStatus> = new Set([
  "completed",
  "failed",
  "cancelled",
]);
