import type { Logger } from "probot";
import type { Engine, EngineEvent, RunSnapshot } from "../backfill/types.js";
import type { Config } from "../config.js";
import type { Db } from "../db/index.js";
import {
  type CheckRunAction,
  createCheckRun,
  createComment,
  createCommentReaction,
  getDefaultHeadSha,
  type Octokit,
  updateCheckRun,
  updateComment,
} from "./github-api.js";
import { claimReportId } from "./claim-report-id.js";
import type { KeyedLock } from "./keyed-lock.js";
import { renderCheckRunOutput, renderProgressComment } from "./render-run.js";
import type { ResultsSource } from "./run-results.js";
import { ensureTrackingIssue, refreshDashboard, type TrackingIssue } from "./tracking-issue.js";
import { type WriteRetry, writeRetryDefaults, writeRetryDelay } from "./write-retry-delay.js";

export const CHECK_RUN_NAME = "Workspace backfill";

// GitHub: at most 3 actions; label and identifier ≤ 20 characters, description ≤ 40.
export const BACKFILL_ACTION: CheckRunAction = {
  label: "Backfill",
  identifier: "backfill",
  description: "Back-fill every repository",
};
export const RETRY_ACTION: CheckRunAction = {
  label: "Retry failed",
  identifier: "retry_failed",
  description: "Re-run the failed repositories",
};

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
  commentId: number | null;
  lastBody: string | null;
  checkRunId: number | null;
  checkCompleted: boolean;
  tracking: TrackingIssue | null;
  startedDashboard: boolean;
}

/** Longest a progress write waits for a command's 👀 (GitHub slow or throttled). */
const HOLD_LIMIT_MS = 10_000;

const TERMINAL = new Set(["completed", "failed", "cancelled"]);

export function isTerminal(run: RunSnapshot): boolean {
  return TERMINAL.has(run.status);
}

export function conclusionOf(run: RunSnapshot): "success" | "neutral" | "failure" {
  if (run.failed > 0 || run.status === "failed") return "failure";
  if (run.cancelled > 0 || run.status === "cancelled") return "neutral";
  return "success";
}

/**
 * Turns the engine's progress into GitHub writes: one progress comment and one check run
 * per run. One coalescing writer per run: when it gets its turn it writes the latest state,
 * so with throttling's ~1 s spacing a burst of events costs one edit, not one each. A run of
 * R repositories costs at most ceil(R / BACKFILL_PROGRESS_EVERY) + 4 writes to the two.
 */
export function createRunReporter(deps: ReporterDeps) {
  const runs = new Map<number, RunState>();
  const every = Math.max(1, deps.config.BACKFILL_PROGRESS_EVERY);
  const retry = { ...writeRetryDefaults, ...deps.retry };
  const now = deps.now ?? Date.now;
  const stopping = new AbortController();
  /** Per installation: commands whose 👀 must reach GitHub before any progress write. */
  const holds = new Map<number, Set<Promise<void>>>();

  function stateOf(run: RunSnapshot): RunState {
    let state = runs.get(run.id);
    if (!state) {
      state = {
        latest: run,
        dirty: true,
        writing: null,
        step: Math.floor(run.done / every),
        // After a restart the run's ids are in the database: edit, never post again.
        commentId: run.progressCommentId,
        lastBody: null,
        checkRunId: run.checkRunId,
        checkCompleted: false,
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
        if (isTerminal(state.latest) && state.checkCompleted) runs.delete(state.latest.id);
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
        await pause(wait);
      }
    }
  }

  /** Waits `ms`, or less when the reporter is stopped. */
  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stopping.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      stopping.signal.addEventListener("abort", done);
    });
  }

  /** Waits for the 👀 of commands being handled, at most HOLD_LIMIT_MS. */
  async function heldBack(installationId: number) {
    const held = holds.get(installationId);
    if (!held || held.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, HOLD_LIMIT_MS);
    });
    await Promise.race([Promise.all(held), limit]);
    clearTimeout(timer);
  }

  async function write(state: RunState, run: RunSnapshot) {
    await heldBack(run.installationId);
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
    const tracking = state.tracking;
    if (!tracking) {
      deps.log.warn({ runId: run.id }, "workspace has no repository to report in");
      return;
    }
    const final = isTerminal(run);
    const results = final ? await deps.results(run) : null;

    const body = renderProgressComment(run, results);
    if (state.commentId === null) {
      // Another process may be reporting the same run: one comment between them.
      const claimed = await claimReportId(deps.db, run.id, "progressComment", async () => {
        const comment = await createComment(octokit, tracking.repo, tracking.issueNumber, body);
        return comment.id;
      });
      state.commentId = claimed.id!;
      if (!claimed.created) await updateComment(octokit, tracking.repo, state.commentId, body);
    } else if (body !== state.lastBody) {
      await updateComment(octokit, tracking.repo, state.commentId, body);
    }
    state.lastBody = body;
    state.step = Math.floor(run.done / every);

    const output = renderCheckRunOutput(run, results);
    const actions = final ? [BACKFILL_ACTION, ...(run.failed > 0 ? [RETRY_ACTION] : [])] : [];
    if (state.checkRunId === null) {
      const claimed = await claimReportId(deps.db, run.id, "checkRun", async () => {
        const headSha = await getDefaultHeadSha(octokit, tracking.repo);
        // An empty repository has no commit to hang a check run on.
        if (!headSha) return null;
        const check = await createCheckRun(octokit, tracking.repo, {
          name: CHECK_RUN_NAME,
          headSha,
          status: final ? "completed" : "in_progress",
          ...(final ? { conclusion: conclusionOf(run) } : {}),
          output,
          actions,
          externalId: `run-${run.id}`,
        });
        return check.id;
      });
      if (claimed.id === null) {
        state.checkRunId = -1;
        state.checkCompleted = true;
      } else {
        state.checkRunId = claimed.id;
        state.checkCompleted = claimed.created && final;
        if (claimed.created) {
          await deps.db.query(
            "update workspaces set check_run_id = $2::bigint where installation_id = $1::bigint",
            [run.installationId, claimed.id],
          );
        }
      }
    }
    if (final && !state.checkCompleted && state.checkRunId > 0) {
      await updateCheckRun(octokit, tracking.repo, state.checkRunId, {
        status: "completed",
        conclusion: conclusionOf(run),
        output,
        actions,
      });
      state.checkCompleted = true;
    }

    if (!state.startedDashboard || final) {
      state.startedDashboard = true;
      await refreshDashboard(trackingDeps, run.installationId, tracking, { run });
    }
    if (final) await reactToCommand(octokit, run);
  }

  async function reactToCommand(octokit: Octokit, run: RunSnapshot) {
    if (!run.commandCommentId) return;
    const { rows } = await deps.db.query<{ owner: string; name: string }>(
      `select r.owner, r.name
         from backfill_runs b
         join workspace_repositories r
           on r.installation_id = b.installation_id and r.repository_id = b.command_repository_id
        where b.id = $1::bigint`,
      [run.id],
    );
    const repo = rows[0];
    if (!repo) return;
    const content = run.total > 0 && run.completed === run.total ? "rocket" : "confused";
    await createCommentReaction(
      octokit,
      { owner: repo.owner, repo: repo.name },
      run.commandCommentId,
      content,
    );
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
    holdWrites(installationId: number): () => void {
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
