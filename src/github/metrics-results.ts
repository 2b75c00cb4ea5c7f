import type { RunSnapshot } from "../backfill/types.js";
import type { Queryable } from "../db/index.js";
import { getRepositoriesMetrics, getWorkspaceMetrics, renderStarsChart } from "../metrics/index.js";
import type { ResultsSource, Velocity } from "./run-results.js";

const WINDOW_DAYS = 30;

function velocity(m: { velocity: number; percentChange: number | null }): Velocity {
  return { perDay: m.velocity, percentChange: m.percentChange };
}

/**
 * The end-of-run figures from the metrics module (contract §3): stars and forks per day
 * over the last 30 days against the 30 before, per repository of the run and for the
 * workspace, and a chart of the workspace's stars over the back-filled window.
 */
export function metricsResults(db: Queryable): ResultsSource {
  return async (run: RunSnapshot) => {
    const names = run.items.map((i) => i.fullName);
    const [repos, workspace, window] = await Promise.all([
      getRepositoriesMetrics(db, names, { days: WINDOW_DAYS, uniqueActors: false }),
      getWorkspaceMetrics(db, run.installationId, { days: WINDOW_DAYS, uniqueActors: false }),
      getWorkspaceMetrics(db, run.installationId, { days: run.days, uniqueActors: false }),
    ]);
    const ws = workspace ?? repos;
    return {
      repositories: repos.repositories.map((r) => ({
        fullName: r.repository,
        stars: velocity(r.stars),
        forks: velocity(r.forks),
      })),
      workspace: { stars: velocity(ws.stars), forks: velocity(ws.forks) },
      starsChart: renderStarsChart(window ?? repos),
    };
  };
}
