import type { RunSnapshot } from "../backfill/types.js";
import type { Queryable } from "../db/index.js";
import {
  chartPoints,
  getRepositoriesMetrics,
  getWorkspaceMetrics,
  readDailyHistory,
  renderHistoryChart,
} from "../metrics/index.js";
import type { ResultsSource, Velocity } from "./run-results.js";

const WINDOW_DAYS = 30;

function velocity(m: { velocity: number; percentChange: number | null }): Velocity {
  return { perDay: m.velocity, percentChange: m.percentChange };
}

const DAY_MS = 86_400_000;

/**
 * The end-of-run figures from the metrics module (contract §3): stars and forks per day
 * over the last 30 days against the 30 before, per repository of the run and for the
 * workspace, and a chart of the run's repositories' stars (bars) and forks (a line) from
 * `repository_daily_counts`: over the back-filled window, or for `/backfill all` over their
 * whole stored history (per month once weeks would pass 45 points).
 */
export function metricsResults(db: Queryable, now: () => number = Date.now): ResultsSource {
  return async (run: RunSnapshot) => {
    const names = run.items.map((i) => i.fullName);
    const to = new Date(now()).toISOString().slice(0, 10);
    const from = run.fullHistory
      ? undefined
      : new Date(now() - (run.days - 1) * DAY_MS).toISOString().slice(0, 10);
    const [repos, workspace, history] = await Promise.all([
      getRepositoriesMetrics(db, names, { days: WINDOW_DAYS, uniqueActors: false }),
      getWorkspaceMetrics(db, run.installationId, { days: WINDOW_DAYS, uniqueActors: false }),
      readDailyHistory(db, names, from === undefined ? { to } : { from, to }),
    ]);
    const ws = workspace ?? repos;
    return {
      repositories: repos.repositories.map((r) => ({
        fullName: r.repository,
        stars: velocity(r.stars),
        forks: velocity(r.forks),
      })),
      workspace: { stars: velocity(ws.stars), forks: velocity(ws.forks) },
      starsChart: renderHistoryChart(chartPoints(history.days)),
    };
  };
}
