/**
 * Mermaid's xychart-beta has no date axis: every x value is a category label and every
 * label is drawn, so past this many points they overlap (contract §3). The SVG history
 * chart keeps to the same points so both read alike.
 */
export const MAX_CHART_POINTS = 45;

/** One UTC day's figures. */
export interface DailyFigures {
  /** `YYYY-MM-DD`, UTC. */
  date: string;
  stars: number;
  forks: number;
}

export interface ChartPoint {
  /** Short enough to sit beside 44 others: `Sep 3` for a day or week, `2024-09` for a month. */
  label: string;
  /** First and last UTC date the point sums. */
  from: string;
  to: string;
  stars: number;
  forks: number;
}

export interface ChartSeries {
  /** `months` when even months exceed the points: each point sums several months. */
  unit: "day" | "week" | "month" | "months";
  /** Months per point when `unit` is `months`, else 1. */
  monthsPerPoint: number;
  points: ChartPoint[];
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const dayLabel = (date: string) =>
  `${MONTHS[Number(date.slice(5, 7)) - 1]} ${Number(date.slice(8, 10))}`;

function sum(days: DailyFigures[], label: string): ChartPoint {
  let stars = 0;
  let forks = 0;
  for (const d of days) {
    stars += d.stars;
    forks += d.forks;
  }
  return { label, from: days[0]!.date, to: days[days.length - 1]!.date, stars, forks };
}

/** Groups of `size` counted back from the end, so only the first group may be shorter. */
function groupsFromEnd<T>(items: T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let end = items.length; end > 0; end -= size) {
    groups.unshift(items.slice(Math.max(0, end - size), end));
  }
  return groups;
}

/**
 * Buckets consecutive days (oldest first, zero-filled) into at most `MAX_CHART_POINTS`
 * points: per day; per 7 days where days would exceed the points (counted back from the
 * last day, so the last week is whole and each is labelled by its first day); per calendar
 * month where weeks would; per run of months where even months would (a repository older
 * than 45 months), each labelled by its first month.
 */
export function chartPoints(days: DailyFigures[]): ChartSeries {
  if (days.length <= MAX_CHART_POINTS) {
    return { unit: "day", monthsPerPoint: 1, points: days.map((d) => sum([d], dayLabel(d.date))) };
  }
  const weeks = groupsFromEnd(days, 7);
  if (weeks.length <= MAX_CHART_POINTS) {
    return {
      unit: "week",
      monthsPerPoint: 1,
      points: weeks.map((w) => sum(w, dayLabel(w[0]!.date))),
    };
  }
  const months: DailyFigures[][] = [];
  for (const d of days) {
    const last = months[months.length - 1];
    if (last && last[0]!.date.slice(0, 7) === d.date.slice(0, 7)) last.push(d);
    else months.push([d]);
  }
  const perPoint = Math.ceil(months.length / MAX_CHART_POINTS);
  const groups = groupsFromEnd(months, perPoint).map((g) => g.flat());
  return {
    unit: perPoint === 1 ? "month" : "months",
    monthsPerPoint: perPoint,
    points: groups.map((g) => sum(g, g[0]!.date.slice(0, 7))),
  };
}

/** Every UTC date from `from` to `to` inclusive (`YYYY-MM-DD`). */
export function utcDates(from: string, to: string): string[] {
  const dates: string[] = [];
  for (
    let t = Date.parse(`${from}T00:00:00Z`);
    t <= Date.parse(`${to}T00:00:00Z`);
    t += 86_400_000
  ) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}
