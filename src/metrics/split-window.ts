const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * Events read one by one at a window edge t, counted with `sign` into W(t), the events of
 * [UTC midnight before t, t): [floor_hour(t), t) added, or [t, next hour) taken off the
 * running total of the hour after.
 */
export interface ExactRead {
  /** The UTC day holding the edge, `YYYY-MM-DD`. */
  day: string;
  lo: number;
  hi: number;
  sign: 1 | -1;
  /** The `now` edge: read only for a repository with an event dated at or after `now`. */
  onlyWithFuture: boolean;
}

/** The window edges, ms since epoch, and how W(edge) is read for each. */
export interface WindowPlan {
  days: number;
  now: number;
  previousStart: number;
  currentStart: number;
  lastWeekStart: number;
  thisWeekStart: number;
  /** Everything the metrics read: [min(previousStart, lastWeekStart), now). */
  start: number;
  /**
   * Which running total of an edge's day (events of its first i hours) W starts from; all
   * edges share `now`'s time of day, so one index serves every edge but `now`, which
   * always takes the hour it falls in (no events after `now`: the hour so far is the hour).
   */
  runningIndex: number;
  nowRunningIndex: number;
  exactReads: ExactRead[];
}

const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;

/**
 * The edges of both windows and both weeks. Any count over [a, b) is the day totals of
 * [floor_day(a), floor_day(b)) − W(a) + W(b), where W(t) = a running total of t's day plus
 * at most 30 minutes of events: the minutes up to the edge when it falls in the first half
 * of its hour, else the minutes after it taken off the next running total. An edge on the
 * hour reads no events at all.
 */
export function splitWindow(now: Date, days: number): WindowPlan {
  const end = now.getTime();
  const previousStart = end - 2 * days * DAY;
  const currentStart = end - days * DAY;
  const thisWeekStart = end - 7 * DAY;
  const lastWeekStart = end - 14 * DAY;
  const start = Math.min(previousStart, lastWeekStart);
  const hourStart = floorTo(end, HOUR);
  const hourIndex = (hourStart - floorTo(end, DAY)) / HOUR;
  const minutes = end - hourStart;
  const fromAfter = minutes > HOUR / 2;
  const exactReads: ExactRead[] = [];
  const read = (t: number, after: boolean, onlyWithFuture: boolean) => {
    const hour = floorTo(t, HOUR);
    exactReads.push(
      after
        ? { day: utcDate(t), lo: t, hi: hour + HOUR, sign: -1, onlyWithFuture }
        : { day: utcDate(t), lo: hour, hi: t, sign: 1, onlyWithFuture },
    );
  };
  if (minutes > 0) {
    for (const t of new Set([previousStart, currentStart, lastWeekStart, thisWeekStart])) {
      read(t, fromAfter, false);
    }
    read(end, true, true);
  }
  return {
    days,
    now: end,
    previousStart,
    currentStart,
    lastWeekStart,
    thisWeekStart,
    start,
    runningIndex: minutes > 0 && fromAfter ? hourIndex + 1 : hourIndex,
    nowRunningIndex: minutes > 0 ? hourIndex + 1 : hourIndex,
    exactReads,
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
