/**
 * The engine's outside, as the GitHub surfaces, the CLI and the demo see it. The engine
 * knows nothing about GitHub: it takes run requests and emits progress events.
 */

export type ItemStatus = "pending" | "processing" | "completed" | "failed" | "cancelled";
/** A run is `pending` until its first item is claimed, then `processing` until it ends. */
export type RunStatus = "pending" | "processing" | "completed" | "failed" | "cancelled";
export type TriggerSource =
  | "command"
  | "button"
  | "checkbox"
  | "installation"
  | "retry"
  | "schedule"
  | "cli";

/** Where a run reads (contract §2 `BACKFILL_SOURCE`, fixed when the run is requested). */
export type DataSource = "github" | "datapipe";

/** GitHub's part of a repository's row: null until GitHub was read. */
export interface GitHubOutcome {
  status: "completed" | "failed";
  /** Stars and forks GitHub gave over the back-filled days (the whole history for `all`). */
  stars: number | null;
  forks: number | null;
  error: string | null;
}

export interface RepositoryRef {
  owner: string;
  name: string;
  /** GitHub's repository id, when known. */
  repositoryId?: number | null;
}

export interface RunRequest {
  installationId: number;
  /** gh-datapipe's days (and GitHub's, unless `fullHistory`). */
  days: number;
  /** `/backfill all`: every star and fork GitHub has, beside `days` of gh-datapipe. */
  fullHistory?: boolean;
  source: TriggerSource;
  /** GitHub login (or operator name) of who asked; null for automatic runs. */
  requestedBy: string | null;
  /** Repositories to back-fill, in order; omitted → every repository of the workspace. */
  repositories?: RepositoryRef[];
  /** The webhook delivery that asked, recorded in the same transaction as the run. */
  deliveryId?: string;
  /** The delivery's event and action (`issue_comment`, `created`), kept with it. */
  event?: string;
  action?: string | null;
}

export interface ItemSnapshot {
  id: number;
  position: number;
  owner: string;
  name: string;
  /** `owner/name` */
  fullName: string;
  repositoryId: number | null;
  status: ItemStatus;
  jobId: string | null;
  progress: number | null;
  eventsFound: number | null;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** GitHub's outcome when GitHub is one of the run's sources and was read. */
  github?: GitHubOutcome | null;
}

export interface RunSnapshot {
  id: number;
  installationId: number;
  status: RunStatus;
  days: number;
  /** `/backfill all`: GitHub's whole history (gh-datapipe still reads `days`). */
  fullHistory?: boolean;
  /** Where the run reads; runs from before GitHub was a source read gh-datapipe only. */
  sources?: DataSource[];
  source: TriggerSource;
  requestedBy: string | null;
  retryOf: number | null;
  paused: boolean;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Items that reached a terminal status (completed, failed or cancelled). */
  done: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
  items: ItemSnapshot[];
}

export type EngineEvent =
  | { type: "run.started"; run: RunSnapshot }
  | { type: "item.changed"; run: RunSnapshot; item: ItemSnapshot }
  | { type: "run.finished"; run: RunSnapshot };

export type EngineListener = (event: EngineEvent) => void | Promise<void>;

/**
 * What a request did. `created`: a new run. `active`: the workspace already had an active
 * run, and `run` is that one. `duplicate`: the request's delivery id had been recorded
 * already (GitHub redelivered it, or sent it to two processes at once): it was answered
 * before, and `run` is the one it caused (or the one standing).
 */
export type RequestResult =
  | { kind: "created"; run: RunSnapshot }
  | { kind: "active"; run: RunSnapshot }
  | { kind: "duplicate"; run: RunSnapshot };

/** A retry also answers `nothing` when the last run has no failed item (or there is none). */
export type RetryResult = RequestResult | { kind: "nothing" };

export interface Engine {
  /** Starts the worker loop (and resumes unfinished runs). */
  start(): Promise<void>;
  /** Stops claiming, waits for in-flight bookkeeping, leaves jobs to be resumed. */
  stop(): Promise<void>;
  request(request: RunRequest): Promise<RequestResult>;
  /** A new run of only the failed items of the workspace's last run. */
  retryFailed(
    installationId: number,
    options: {
      source: TriggerSource;
      requestedBy: string | null;
      deliveryId?: string;
      event?: string;
      action?: string | null;
    },
  ): Promise<RetryResult>;
  /** Cancels the active run; null when there is none. */
  cancel(installationId: number, requestedBy: string | null): Promise<RunSnapshot | null>;
  activeRun(installationId: number): Promise<RunSnapshot | null>;
  lastRun(installationId: number): Promise<RunSnapshot | null>;
  getRun(runId: number): Promise<RunSnapshot | null>;
  pause(installationId: number): Promise<void>;
  resume(installationId: number): Promise<void>;
  /** Installation deleted: cancels its active run for good. */
  endWorkspace(installationId: number): Promise<void>;
  /** Subscribes to progress; returns the unsubscribe function. */
  subscribe(listener: EngineListener): () => void;
}
