import type { Queryable } from "../db/index.js";
import type { ClaimedItem } from "./claim-item.js";
import type { EngineLog } from "./engine-log.js";
import { type HistorySource, isHistoryFailure, NO_GITHUB_APP } from "./history-source.js";
import type { ItemChange } from "./item-change.js";
import { recordGitHubOutcome } from "./record-github-outcome.js";
import type { GitHubOutcome } from "./types.js";

export interface GitHubStepDeps {
  db: Queryable;
  history: HistorySource | null;
  workerId: string;
  log: EngineLog;
}

/**
 * GitHub's part of an item, before gh-datapipe's (contract §4b): null when GitHub is not
 * one of the run's sources; the recorded outcome when an earlier worker got that far;
 * else reads (and the reader stores) the repository's stars and forks and records the
 * outcome. A read that fails for good is an outcome (`failed`, the row's text); anything
 * else (the database, a stop) is thrown and the item resumes later.
 */
export async function readGitHubStep(
  deps: GitHubStepDeps,
  claimed: ClaimedItem,
  signal: AbortSignal,
  publish: (change: ItemChange | null) => void,
): Promise<GitHubOutcome | null> {
  const { item, run } = claimed;
  if (!run.sources.includes("github")) return null;
  if (item.github_status) {
    return {
      status: item.github_status,
      stars: item.stars_found,
      forks: item.forks_found,
      error: item.github_error,
    };
  }
  let outcome: GitHubOutcome;
  if (!deps.history) {
    outcome = { status: "failed", stars: null, forks: null, error: NO_GITHUB_APP };
  } else {
    try {
      const read = await deps.history.read(
        run.installation_id,
        { owner: item.owner, name: item.name },
        { days: run.days, all: run.full_history },
        signal,
      );
      outcome = { status: "completed", stars: read.stars, forks: read.forks, error: null };
    } catch (err) {
      if (signal.aborted || !isHistoryFailure(err)) throw err;
      outcome = { status: "failed", stars: null, forks: null, error: err.message };
    }
  }
  deps.log.info(
    { runId: run.id, itemId: item.id, repository: `${item.owner}/${item.name}`, ...outcome },
    "GitHub history read",
  );
  publish(
    await recordGitHubOutcome(deps.db, { itemId: item.id, workerId: deps.workerId, outcome }),
  );
  return outcome;
}

/**
 * The item's end from both sources (contract §4b): completed when every source of the run
 * completed; each failure's text in the row, GitHub's first.
 */
export function combineOutcome(
  github: GitHubOutcome | null,
  datapipe: { status: "completed" | "failed"; error: string | null } | null,
): { status: "completed" | "failed"; error: string | null } {
  const parts = [github, datapipe].filter((p) => p !== null);
  const errors = parts.map((p) => p.error).filter((e): e is string => Boolean(e));
  return {
    status: parts.every((p) => p.status === "completed") ? "completed" : "failed",
    error: errors.length > 0 ? errors.join("; ") : null,
  };
}
