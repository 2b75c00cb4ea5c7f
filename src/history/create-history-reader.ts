import type { Db } from "../db/index.js";
import { abortableSleep } from "../shared/abortable-sleep.js";
import { type CallPolicy, callDefaults, createCaller } from "./call-github.js";
import type { GitHubRequestFor } from "./github-request.js";
import { HistoryError } from "./history-error.js";
import { readForks } from "./read-forks.js";
import { readStarHistory } from "./read-star-history.js";
import { loadCoverage, storeHistory } from "./store-history.js";
import { addDays, minDay, utcDay } from "./utc-day.js";

export interface HistoryWindow {
  /** The UTC dates ending today (today and `days − 1` before) the read must cover. */
  days: number;
  /** `/backfill all`: every page, whatever `days` says. */
  all: boolean;
}

export interface HistoryRead {
  /** Stars and forks GitHub gave over the window's days (every day for `all`). */
  stars: number;
  forks: number;
  /** Requests sent, every attempt counted. */
  requests: number;
}

export interface HistoryReader {
  /** Reads and stores a repository's figures; rejects with a `HistoryError` for the row. */
  read(
    installationId: number,
    repo: { owner: string; name: string },
    window: HistoryWindow,
    signal?: AbortSignal,
  ): Promise<HistoryRead>;
}

export interface HistoryReaderDeps {
  db: Db;
  /** The installation's `octokit.request` (an installation token, fresh per read). */
  requestFor: GitHubRequestFor;
  /** Longest total rate-limit wait of one repository (BACKFILL_JOB_TIMEOUT_MS). */
  maxWaitMs: number;
  now?: () => number;
  sleep?: CallPolicy["sleep"];
  retries?: number;
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
}

const sum = (days: Map<string, number>, from: string | null) => {
  let total = 0;
  for (const [day, n] of days) if (from === null || day >= from) total += n;
  return total;
};

/**
 * GitHub as a source (contract §4b): per repository the star history back to the window's
 * first day and the forks newest first until older than it, or everything for `all`; then
 * one transaction stores both. A read reaches back to where the stored coverage ends when
 * that is older than the window, so the coverage stays one unbroken range (a live refresh
 * a day later still costs one page of each). When the fork list ran out, every fork is
 * known and the fork coverage reaches back as far as the star history's.
 */
export function createHistoryReader(deps: HistoryReaderDeps): HistoryReader {
  const now = deps.now ?? Date.now;
  const policy: CallPolicy = {
    now,
    sleep: deps.sleep ?? abortableSleep,
    maxWaitMs: deps.maxWaitMs,
    retries: deps.retries ?? callDefaults.retries,
    minRetryDelayMs: deps.minRetryDelayMs ?? callDefaults.minRetryDelayMs,
    maxRetryDelayMs: deps.maxRetryDelayMs ?? callDefaults.maxRetryDelayMs,
  };
  /** An installation that gives no token (uninstalled, a bad key) fails the row, not the engine. */
  const requestOf = async (installationId: number) => {
    try {
      return await deps.requestFor(installationId);
    } catch (err) {
      const status = (err as { status?: unknown } | null)?.status;
      if (typeof status === "number") throw HistoryError.fromStatus(status);
      throw err;
    }
  };
  return {
    async read(installationId, repo, window, signal) {
      const caller = createCaller(await requestOf(installationId), policy, signal);
      const today = utcDay(now());
      const windowStart = addDays(today, 1 - Math.max(1, window.days));
      const stored = await loadCoverage(deps.db, repo);
      const starsBackTo = window.all ? null : minDay(windowStart, stored?.starsTo ?? windowStart);
      const forksBackTo = window.all ? null : minDay(windowStart, stored?.forksTo ?? windowStart);

      const stars = await readStarHistory(caller, repo, { backTo: starsBackTo, today });
      const forks = await readForks(caller, repo, { since: forksBackTo });

      // No week at all: the repository has no stars, so the whole window is known zero.
      const starsFrom = minDay(stars.from ?? windowStart, starsBackTo ?? windowStart);
      let forksFrom = forksBackTo ?? minDay(windowStart, forks.oldest ?? windowStart);
      if (forks.complete) forksFrom = minDay(forksFrom, starsFrom);
      await storeHistory(deps.db, {
        owner: repo.owner,
        name: repo.name,
        stars: { from: starsFrom, to: today, days: stars.days },
        forks: { from: forksFrom, to: today, days: forks.days },
        readAt: new Date(now()),
      });
      const countFrom = window.all ? null : windowStart;
      return {
        stars: sum(stars.days, countFrom),
        forks: sum(forks.days, countFrom),
        requests: caller.requests,
      };
    },
  };
}
