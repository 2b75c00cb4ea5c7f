import type { RunSnapshot } from "../backfill/types.js";

/** Stars or forks per day over the last 30 days, and the change against the 30 before. */
export interface Velocity {
  perDay: number;
  /** null where the earlier window has no data. */
  percentChange: number | null;
}

export interface RunResults {
  repositories: { fullName: string; stars: Velocity; forks: Velocity }[];
  workspace: { stars: Velocity; forks: Velocity };
  /** A Mermaid `xychart-beta` block of stars over the back-filled window. */
  starsChart: string | null;
}

/** Where the end-of-run figures come from (the metrics module); null renders none. */
export type ResultsSource = (run: RunSnapshot) => Promise<RunResults | null>;

export const noResults: ResultsSource = async () => null;
