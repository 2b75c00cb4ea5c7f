const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * One signed read that contributes to W(edge), the events of [UTC midnight before the edge,
 * edge): a day row (`lo` is the day), a run of hour rows over [lo, hi), or the events
 * themselves over [lo, hi).
 */
export interface EdgeRead {
  edge: number;
  kind: "day" | "hour" | "exact";
  lo: number;
  hi: number;
  sign: 1 | -1;
  /**
   * null: always. For the `now` edge the reads depend on the repository: `false` reads
   * (the day row alone) serve a repository with no event dated at or after `now` (the day
   * so far is the whole day), `true` reads one that has such events.
   */
  future: boolean | null;
}

/** The window edges, ms since epoch, and how to read what lies between them. */
export interface WindowPlan {
  days: number;
  now: number;
  previousStart: number;
  currentStart: number;
  lastWeekStart: number;
  thisWeekStart: number;
  /** Everything the metrics read: [min(previousStart, lastWeekStart), now). */
  start: number;
  edgeReads: EdgeRead[];
}

const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;

/** Hour coefficients over a day → maximal runs of equal non-zero coefficient. */
function hourRuns(edge: number, coefficients: Map<number, number>, future: boolean | null) {
  const reads: EdgeRead[] = [];
  const hours = [...coefficients.keys()].sort((a, b) => a - b);
  for (const hour of hours) {
    const sign = coefficients.get(hour)!;
    if (sign === 0) continue;
    const last = reads.at(-1);
    if (last && last.hi === hour && last.sign === sign) last.hi = hour + HOUR;
    else
      reads.push({ edge, kind: "hour", lo: hour, hi: hour + HOUR, sign: sign as 1 | -1, future });
  }
  return reads;
}

/**
 * The reads that give W(t) = events of [floor_day(t), t), always the cheaper side:
 * [floor_day(t), floor_hour(t)) from at most 12 hour rows, or as the day row minus the
 * hours after; the minutes [floor_hour(t), t) from at most 30 minutes of events, or as the
 * hour row minus the events after. An edge on the hour reads no events; one at midnight
 * reads nothing.
 */
function edgeReadsOf(t: number, future: boolean | null): EdgeRead[] {
  const day = floorTo(t, DAY);
  const hour = floorTo(t, HOUR);
  if (t === day) return [];
  const reads: EdgeRead[] = [];
  const coefficients = new Map<number, number>();
  const add = (h: number, sign: number) => coefficients.set(h, (coefficients.get(h) ?? 0) + sign);
  if (hour - day <= 12 * HOUR) {
    for (let h = day; h < hour; h += HOUR) add(h, 1);
  } else {
    reads.push({ edge: t, kind: "day", lo: day, hi: day + DAY, sign: 1, future });
    for (let h = hour; h < day + DAY; h += HOUR) add(h, -1);
  }
  const exact: EdgeRead[] = [];
  if (t > hour) {
    if (t - hour <= HOUR / 2) {
      exact.push({ edge: t, kind: "exact", lo: hour, hi: t, sign: 1, future });
    } else {
      add(hour, 1);
      exact.push({ edge: t, kind: "exact", lo: t, hi: hour + HOUR, sign: -1, future });
    }
  }
  return [...reads, ...hourRuns(t, coefficients, future), ...exact];
}

/**
 * The edges of both windows and both weeks, and the signed reads giving, per repository,
 * the events between each edge and the UTC midnight before it. Any count over [a, b) is
 * then the day rows of [floor_day(a), floor_day(b)) − W(a) + W(b): at most five edges,
 * each a handful of index probes, and one day row per repository and day.
 */
export function splitWindow(now: Date, days: number): WindowPlan {
  const end = now.getTime();
  const previousStart = end - 2 * days * DAY;
  const currentStart = end - days * DAY;
  const thisWeekStart = end - 7 * DAY;
  const lastWeekStart = end - 14 * DAY;
  const start = Math.min(previousStart, lastWeekStart);
  const edges = [...new Set([previousStart, currentStart, lastWeekStart, thisWeekStart])];
  const edgeReads = edges.flatMap((t) => edgeReadsOf(t, null));
  if (end !== floorTo(end, DAY)) {
    const day = floorTo(end, DAY);
    edgeReads.push({ edge: end, kind: "day", lo: day, hi: day + DAY, sign: 1, future: false });
    edgeReads.push(...edgeReadsOf(end, true));
  }
  return {
    days,
    now: end,
    previousStart,
    currentStart,
    lastWeekStart,
    thisWeekStart,
    start,
    edgeReads,
  };
}

/** `YYYY-MM-DD` of the UTC day holding `t`. */
export function utcDate(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** Every UTC date touched by [from, to), oldest first. */
export function datesOf(from: number, to: number): string[] {
  const dates: string[] = [];
  for (let d = floorTo(from, DAY); d < to; d += DAY) dates.push(utcDate(d));
  return dates;
}
