import type { RunSnapshot } from "../backfill/types.js";
import type { Queryable } from "../db/index.js";
import type { Octokit } from "./github-api.js";
import type { RunResults } from "./run-results.js";
import type { TrackingIssue } from "./tracking-issue.js";

/** What each of a run's surfaces (progress comment, check run, dashboard) writes from. */
export interface ReportTarget {
  db: Queryable;
  octokit: Octokit;
  tracking: TrackingIssue;
  run: RunSnapshot;
  /** The end-of-run figures; null before the run has ended (or when there are none). */
  results: RunResults | null;
}

const TERMINAL = new Set(["completed", "failed", "cancelled"]);

export function isTerminal(run: RunSnapshot): boolean {
  return TERMINAL.has(run.status);
}
