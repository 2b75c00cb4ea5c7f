import type { Db } from "../db/index.js";
import { abortableSleep } from "../shared/abortable-sleep.js";
import { type BackfillSource, BackfillError } from "./backfill-source.js";
import type { ClaimedItem } from "./claim-item.js";
import type { EngineLog } from "./engine-log.js";
import type { HistorySource } from "./history-source.js";
import { errorTexts } from "./error-texts.js";
import { finishItem } from "./finish-item.js";
import type { ItemChange } from "./item-change.js";
import { paceWorkspace } from "./pacing-store.js";
import { combineOutcome, readGitHubStep } from "./read-github-step.js";
import { recordJobId } from "./record-job-id.js";
import { recordProgress } from "./record-progress.js";
import { releaseItem, renewLease } from "./renew-lease.js";
import type { ItemRow, RunRow } from "./run-rows.js";
import type { GitHubOutcome } from "./types.js";

export interface WorkItemDeps {
  db: Db;
  source: BackfillSource;
  /** GitHub as a source; null when this process has no GitHub App to read with. */
  history: HistorySource | null;
  log: EngineLog;
  workerId: string;
  leaseMs: number;
  delayMs: number;
  pollIntervalMs: number;
  jobTimeoutMs: number;
  now: () => number;
  /** Aborted when the engine stops: polling ends and the item is handed back. */
  stopping: AbortSignal;
  /** The trigger call returned (`called`) or failed before calling: the process may trigger again. */
  triggered(called: boolean): void;
  changed(run: RunRow, item: ItemRow, runFinished: boolean): void;
}

class Lost extends Error {}

/**
 * Takes one claimed item to its end: triggers its job unless it already has one, then polls
 * the job until it is terminal or too old, counts the events that arrived and records the
 * outcome. The lease is renewed all along; losing it (the run was cancelled, or the item
 * taken over) ends the work quietly. A stop hands the item back for another worker.
 */
export async function workItem(deps: WorkItemDeps, claimed: ClaimedItem): Promise<void> {
  const { db, source, log, workerId } = deps;
  const { item, run } = claimed;
  const repository = `${item.owner}/${item.name}`;
  const lost = new AbortController();
  const signal = AbortSignal.any([deps.stopping, lost.signal]);
  let triggering = claimed.needsTrigger;
  const context = { runId: run.id, itemId: item.id, repository };
  // The job's time-out counts watched time only: what earlier workers watched, then this
  // one's since it took the job up (its trigger, or the claim). Downtime is nobody's.
  let watching = claimed.needsTrigger ? null : { before: claimed.watchedMs, since: deps.now() };
  const watched = () => (watching ? watching.before + deps.now() - watching.since : null);

  const renew = setInterval(
    () => {
      renewLease(db, {
        itemId: item.id,
        workerId,
        leaseMs: deps.leaseMs,
        holdTriggersOf: triggering ? run.installation_id : null,
        watchedMs: watched(),
      }).then(
        (held) => {
          if (!held) lost.abort(new Lost());
        },
        (err) => log.warn({ err, ...context }, "Could not renew the lease of a back-fill item"),
      );
    },
    Math.max(10, Math.floor(deps.leaseMs / 3)),
  );

  const publish = (change: ItemChange | null, runFinished = false) => {
    if (!change) throw new Lost();
    deps.changed(change.run, change.item, runFinished);
  };

  let github: GitHubOutcome | null = null;
  /** Ends the item with gh-datapipe's outcome (null: not a source) beside GitHub's. */
  const finish = async (status: "completed" | "failed" | null, error: string | null) => {
    const end = combineOutcome(github, status === null ? null : { status, error });
    const done = await finishItem(db, {
      itemId: item.id,
      workerId,
      ...end,
      days: run.days,
      countEvents: status === "completed",
    });
    if (done) {
      const eventsFound = done.item.events_found;
      log.info({ ...context, ...end, eventsFound }, "Back-fill item finished");
      publish(done, done.runFinished);
    }
  };

  try {
    try {
      github = await readGitHubStep(deps, claimed, signal, publish);
    } catch (err) {
      // No trigger follows now: the process's trigger gate must not stay shut.
      if (triggering) deps.triggered(false);
      triggering = false;
      throw err;
    }
    if (!run.sources.includes("datapipe")) {
      // No trigger was sent: the process and the workspace may trigger again at once.
      deps.triggered(false);
      triggering = false;
      await paceWorkspace(db, run.installation_id, 0);
      await finish(null, null);
      return;
    }
    let jobId = item.job_id;
    if (!jobId) {
      let job: { jobId: string };
      try {
        job = await source.trigger(repository, run.days);
        deps.triggered(true);
      } catch (err) {
        const called = !(err instanceof BackfillError && !err.called);
        // Before any write: the process's pause must start even if the database fails next.
        deps.triggered(called);
        triggering = false;
        await paceWorkspace(db, run.installation_id, called ? deps.delayMs : 0);
        if (!(err instanceof BackfillError)) throw err;
        await finish("failed", err.message);
        return;
      }
      triggering = false;
      jobId = job.jobId;
      watching = { before: 0, since: deps.now() };
      const recorded = await recordJobId(db, {
        itemId: item.id,
        workerId,
        jobId,
        installationId: run.installation_id,
        delayMs: deps.delayMs,
      });
      if (!recorded) {
        // Cancelled while the trigger was in flight: nobody else knows this job.
        await source
          .cancel(jobId)
          .catch((err) => log.warn({ err, ...context, jobId }, "Could not cancel a job"));
        return;
      }
      publish(recorded);
    }
    let progress = item.progress;
    const left = () => deps.jobTimeoutMs - (watched() ?? 0);
    // A job taken up from an earlier worker is read before anything is decided about it.
    let pollNow = !claimed.needsTrigger;
    for (;;) {
      if (!pollNow) {
        await abortableSleep(Math.max(0, Math.min(deps.pollIntervalMs, left())), signal);
      }
      pollNow = false;
      let state: Awaited<ReturnType<BackfillSource["status"]>> | null = null;
      try {
        state = await source.status(jobId, signal);
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if (!(err instanceof BackfillError) || err.transient) {
          log.warn(
            { err, ...context, jobId },
            "Could not read a back-fill job's status; polling on",
          );
        } else {
          await finish("failed", err.message);
          return;
        }
      }
      if (state?.status === "completed") {
        await finish("completed", null);
        return;
      }
      if (state?.status === "failed") {
        await finish("failed", errorTexts.jobFailed(state.error ?? "no reason given"));
        return;
      }
      if (state?.status === "cancelled") {
        await finish("failed", errorTexts.jobFailed(state.error ?? "the job was cancelled"));
        return;
      }
      if (left() <= 0) {
        await source
          .cancel(jobId)
          .catch((err) => log.warn({ err, ...context, jobId }, "Could not cancel a job"));
        await finish("failed", errorTexts.timedOut);
        return;
      }
      const reported = state?.progress == null ? null : Math.round(state.progress);
      if (reported !== null && reported !== progress) {
        progress = reported;
        publish(await recordProgress(db, { itemId: item.id, workerId, progress }));
      }
    }
  } catch (err) {
    if (err instanceof Lost || lost.signal.aborted) {
      log.info(context, "Back-fill item was cancelled or taken over; leaving it");
      return;
    }
    if (deps.stopping.aborted) {
      await releaseItem(db, { itemId: item.id, workerId, watchedMs: watched() }).catch(() => {});
      return;
    }
    // The lease runs out and another worker (or this one) takes the item up again.
    log.error({ err, ...context }, "Back-fill item work failed; it will be resumed");
  } finally {
    clearInterval(renew);
  }
}
