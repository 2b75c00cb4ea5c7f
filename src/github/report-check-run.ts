import type { RunSnapshot } from "../backfill/types.js";
import {
  type CheckRunAction,
  createCheckRun,
  getDefaultHeadSha,
  updateCheckRun,
} from "./github-api.js";
import { claimReportId } from "./claim-report-id.js";
import { renderCheckRunOutput } from "./render-run.js";
import { isTerminal, type ReportTarget } from "./report-target.js";

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

/**
 * This process's view of a run's check run. `unknown`: not created or found yet;
 * `impossible`: the tracking repository has no commit to hang one on, so the run has none;
 * `open`: created, not yet completed; `completed`: nothing more to write.
 */
export type CheckRunState =
  | { kind: "unknown" }
  | { kind: "impossible" }
  | { kind: "open"; id: number }
  | { kind: "completed"; id: number };

/** True when the check run needs no further write for this run. */
export const checkRunSettled = (state: CheckRunState) =>
  state.kind === "impossible" || state.kind === "completed";

export function conclusionOf(run: RunSnapshot): "success" | "neutral" | "failure" {
  if (run.failed > 0 || run.status === "failed") return "failure";
  if (run.cancelled > 0 || run.status === "cancelled") return "neutral";
  return "success";
}

/**
 * Creates the run's one check run (claimed like the progress comment), then completes it
 * when the run has ended, with the `Backfill` and `Retry failed` buttons. Returns the new state.
 */
export async function reportCheckRun(
  target: ReportTarget,
  state: CheckRunState,
): Promise<CheckRunState> {
  const { db, octokit, tracking, run } = target;
  const final = isTerminal(run);
  const output = renderCheckRunOutput(run, target.results);
  const actions = final ? [BACKFILL_ACTION, ...(run.failed > 0 ? [RETRY_ACTION] : [])] : [];
  let next = state;
  if (next.kind === "unknown") {
    const claimed = await claimReportId(db, run.id, "checkRun", async () => {
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
    if (claimed.id === null) return { kind: "impossible" };
    next =
      claimed.created && final
        ? { kind: "completed", id: claimed.id }
        : { kind: "open", id: claimed.id };
  }
  if (final && next.kind === "open") {
    await updateCheckRun(octokit, tracking.repo, next.id, {
      status: "completed",
      conclusion: conclusionOf(run),
      output,
      actions,
    });
    return { kind: "completed", id: next.id };
  }
  return next;
}
