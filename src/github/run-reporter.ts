import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "probot";
import type { Engine, EngineEvent, RunSnapshot } from "../backfill/types.js";
import type { Config } from "../config.js";
import type { Db } from "../db/index.js";
import type { Octokit } from "./github-api.js";
import type { KeyedLock } from "./keyed-lock.js";
import { reactToCommand } from "./react-to-command.js";
import { type CheckRunState, checkRunSettled, reportCheckRun } from "./report-check-run.js";
import {
  newProgressComment,
  type ProgressCommentState,
  reportProgressComment,
} from "./report-progress-comment.js";
import { isTerminal, type ReportTarget } from "./report-target.js";
import type { ResultsSource } from "./run-results.js";
import { refreshDashboard } from "./refresh-dashboard.js";
import { ensureTrackingIssue, type TrackingIssue } from "./tracking-issue.js";
import { createWriteHolds } from "./write-holds.js";
import { type WriteRetry, writeRetryDefaults, writeRetryDelay } from "./write-retry-delay.js";

export interface ReporterDeps {
  db: Db;
  config: Pick<Config, "BACKFILL_PROGRESS_EVERY"> &
    Partial<Pick<Config, "PUBLIC_URL" | "BACKFILL_DEFAULT_DAYS">>;
  /** An installation-authenticated octokit: progress outlives the webhook that asked. */
  auth(installationId: number): Promise<Octokit>;
  results: ResultsSource;
  lock: KeyedLock;
  log: Pick<Logger, "info" | "warn" | "error">;
  /** How failed writes are tried again; the defaults suit GitHub's limits. */
  retry?: Partial<WriteRetry>;
  now?: () => number;
}

interface RunState {
  latest: RunSnapshot;
  dirty: boolean;
  writing: Promise<void> | null;
  /** floor(done / BACKFILL_PROGRESS_EVERY) at the last progress write. */
  step: number;
  comment: ProgressCommentState;
  check: CheckRunState;
  tracking: TrackingIssue | null;
  startedDashboard: boolean;
}

/**
 * Turns the engine's progress into GitHub writes: one progress comment and one check run
 * per run, and the dashboard. One coalescing writer per run: when it gets its turn it writes
 * the latest state, so with throttling's ~1 s spacing a burst of events costs one edit, not
 * one each. A run of R repositories costs at most ceil(R / BACKFILL_PROGRESS_EVERY) + 4
 * writes to the comment and the check run.
 */
export function createRunReporter(deps: ReporterDeps) {
  const runs = new Map<number, RunState>();
  const every = Math.max(1, deps.config.BACKFILL_PROGRESS_EVERY);
  const retry = { ...writeRetryDefaults, ...deps.retry };
  const now = deps.now ?? Date.now;
  const stopping = new AbortController();
  const holds = createWriteHolds();

  function stateOf(run: RunSnapshot): RunState {
    let state = runs.get(run.id);
    if (!state) {
      state = {
        latest: run,
        dirty: true,
        writing: null,
        step: Math.floor(run.done / every),
        // After a restart the run's ids are in run_reports: the claims find them.
        comment: newProgressComment(),
        check: { kind: "unknown" },
        tracking: null,
        startedDashboard: false,
      };
      runs.set(run.id, state);
    }
    return state;
  }

  function kick(state: RunState) {
    state.dirty = true;
    if (!state.writing) {
      state.writing = drain(state).finally(() => {
        state.writing = null;
        if (isTerminal(state.latest) && checkRunSettled(state.check)) {
          runs.delete(state.latest.id);
        }
      });
    }
  }

  /**
   * Writes until GitHub shows the latest state. A failed write leaves the state dirty and
   * is tried again after a wait: after a run's last event nothing else would write, and
   * its check run, dashboard and 🚀 would stay behind for good.
   */
  async function drain(state: RunState) {
    let failures = 0;
    while (state.dirty && !stopping.signal.aborted) {
      state.dirty = false;
      try {
        await write(state, state.latest);
        failures = 0;
      } catch (err) {
        failures++;
        state.dirty = true;
        const runId = state.latest.id;
        const wait = writeRetryDelay(err, failures, retry, now());
        if (wait === null) {
          state.dirty = false;
          deps.log.error({ err, runId, attempts: failures }, "progress write failed; giving up");
          return;
        }
        deps.log.warn(
          { err, runId, attempt: failures, retryInMs: wait },
          "progress write failed; trying again",
        );
        // Stopping ends the wait early: the next process writes what is left.
        await sleep(wait, undefined, { signal: stopping.signal }).catch(() => {});
      }
    }
  }

  /** One turn of the writer: each surface in the order a reader meets them. */
  async function write(state: RunState, run: RunSnapshot) {
    await holds.heldBack(run.installationId);
    const octokit = await deps.auth(run.installationId);
    const trackingDeps = {
      db: deps.db,
      octokit,
      lock: deps.lock,
      log: deps.log,
      publicUrl: deps.config.PUBLIC_URL,
      config: deps.config,
    };
    state.tracking ??= await ensureTrackingIssue(trackingDeps, run.installationId);
    if (!state.tracking) {
      deps.log.warn({ runId: run.id }, "workspace has no repository to report in");
      return;
    }
    const final = isTerminal(run);
    const target: ReportTarget = {
      db: deps.db,
      octokit,
      tracking: state.tracking,
      run,
      results: final ? await deps.results(run) : null,
    };
    await reportProgressComment(target, state.comment);
    state.step = Math.floor(run.done / every);
    state.check = await reportCheckRun(target, state.check);
    if (!state.startedDashboard || final) {
      state.startedDashboard = true;
      await refreshDashboard(trackingDeps, run.installationId, state.tracking, { run });
    }
    if (final) await reactToCommand(deps.db, octokit, run);
  }

  return {
    /** Feeds one engine event. Never throws; writes happen in the background. */
    handle(event: EngineEvent) {
      const known = runs.has(event.run.id);
      const state = stateOf(event.run);
      state.latest = event.run;
      const run = event.run;
      if (!known || event.type === "run.started" || event.type === "run.finished") {
        kick(state);
        return;
      }
      // The last item's edit is left to run.finished, which follows it.
      if (Math.floor(run.done / every) > state.step && run.done < run.total) kick(state);
    },
    /**
     * Holds progress writes for the installation's runs until the returned function is
     * called: a command's 👀 then reaches GitHub before the progress of the run it starts
     * (the engine announces a run before the handler learns of it). Call it in every case.
     */
    holdWrites: holds.hold,
    /** A run the surfaces just created: start reporting without waiting for its first event. */
    track(run: RunSnapshot) {
      if (runs.has(run.id)) return;
      kick(stateOf(run));
    },
    async idle() {
      for (;;) {
        const writing = [...runs.values()].map((s) => s.writing).filter(Boolean);
        if (writing.length === 0) return;
        await Promise.all(writing);
      }
    },
    /**
     * Shutdown: ends waits between tries and tries no more. A write under way finishes;
     * what is left behind is written by the next process on the run's next event.
     */
    stop() {
      stopping.abort();
    },
  };
}

export type RunReporter = ReturnType<typeof createRunReporter>;

export function subscribeReporter(engine: Engine, reporter: RunReporter): () => void {
  return engine.subscribe((event) => reporter.handle(event));
}
