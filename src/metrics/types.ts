export type Trend = "up" | "down" | "stable";

/** Where a figure's days came from (contract §6): GitHub's own figures, events, or both. */
export type MetricSource = "github" | "events" | "mixed";

/** Stars or forks of one repository or of a workspace over the two windows. */
export interface CountMetric {
  /** Current stargazer/fork count when GitHub's number is known, else the cached events. */
  total: number;
  /**
   * In the current window: events of [now − days, now), and GitHub's figures of the `days`
   * dates ending today where GitHub covers them (never both for one date).
   */
  current: number;
  /** The same over [now − 2·days, now − days) and the `days` dates before. */
  previous: number;
  /** current / days, two decimals. */
  velocity: number;
  previousVelocity: number;
  /** Rounded percent change against the previous window; null when that window is empty. */
  percentChange: number | null;
  trend: Trend;
  /** `github` when GitHub's figures cover every date the windows read, `events` when none. */
  source: MetricSource;
}

export interface WeekCounts {
  stars: number;
  forks: number;
}

/** One UTC day of the current window: its events, clipped to the window. */
export interface TimelineEntry {
  /** `YYYY-MM-DD`, UTC. */
  date: string;
  stars: number;
  forks: number;
  /** stars + forks of that day. */
  total: number;
}

export interface Activity {
  /** Events of every type in the current window. */
  totalEvents: number;
  /** Distinct actors of those events (logins compared case-insensitively); null when not asked for (it costs the most). */
  uniqueActors: number | null;
  /** `owner/name` with the most events in the current window; null when there are none. */
  mostActiveRepo: string | null;
}

export interface RepositoryCoverage {
  repository: string;
  /** First and last cached event of the repository (any type), ISO 8601 UTC. */
  firstEvent: string | null;
  lastEvent: string | null;
  /** UTC days of [now − 2·days, now) holding at least one event. */
  daysWithEvents: number;
  /** UTC days of that span, the partial days at either end included. */
  spanDays: number;
  /** Longest run of UTC days of the span without an event, leading and trailing runs included. */
  longestGapDays: number;
  hasPreviousWindow: boolean;
  /** The previous window is empty or the longest gap exceeds 7 days. */
  needsBackfill: boolean;
}

export interface RepositoryMetrics {
  /** `owner/name` as the workspace (or the caller) spells it. */
  repository: string;
  stars: CountMetric;
  forks: CountMetric;
  thisWeek: WeekCounts;
  lastWeek: WeekCounts;
  /** Events of every type in the current window. */
  totalEvents: number;
  coverage: RepositoryCoverage;
}

export interface MetricsWindow {
  days: number;
  /** ISO 8601 instants: previous = [previousStart, currentStart), current = [currentStart, end). */
  previousStart: string;
  currentStart: string;
  end: string;
}

export interface Metrics {
  window: MetricsWindow;
  stars: CountMetric;
  forks: CountMetric;
  thisWeek: WeekCounts;
  lastWeek: WeekCounts;
  timeline: TimelineEntry[];
  activity: Activity;
  coverage: RepositoryCoverage[];
  repositories: RepositoryMetrics[];
}

export interface WorkspaceMetrics extends Metrics {
  installationId: number;
}

/** A repository to measure; totals are GitHub's current counts when known. */
export interface RepositoryRef {
  owner: string;
  name: string;
  stargazersCount?: number | null;
  forksCount?: number | null;
}

export interface MetricsOptions {
  /** Window length in days, 1–365; default 30. */
  days?: number;
  /** End of the current window; default the present instant. */
  now?: Date;
  /** Count distinct actors (cost follows the window's active repository-actor pairs); default true. */
  uniqueActors?: boolean;
}
