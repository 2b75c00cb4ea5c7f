const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * How W(t), the folded events of [UTC midnight before t, t), is read at every window edge
 * t. All edges share `now`'s time of day, so one recipe serves them all: the running total
 * of the day's first `hourIndex` hours (github_event_days), plus the events of the edge
 * hour's row (github_event_hours, instants sorted) before its `msIntoHour`-th millisecond.
 */
export interface EdgeRecipe {
  hourIndex: number;
  msIntoHour: number;
}

/** The window edges, ms since epoch, and the GitHub dates (contract §6). */
export interface WindowPlan {
  days: number;
  now: number;
  previousStart: number;
  currentStart: number;
  lastWeekStart: number;
  thisWeekStart: number;
  recipe: EdgeRecipe;
  /**
   * GitHub's days are whole UTC dates: the current window is the `days` dates ending with
   * today's, the previous one the `days` dates before; the weeks likewise with 7.
   */
  github: {
    previousStart: string;
    currentStart: string;
    lastWeekStart: string;
    thisWeekStart: string;
    today: string;
  };
}

const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;

/**
 * The edges of both windows and both weeks. Any count over [a, b) is the day totals of
 * [floor_day(a), floor_day(b)) − W(a) + W(b).
 */
export function splitWindow(now: Date, days: number): WindowPlan {
  const end = now.getTime();
  const previousStart = end - 2 * days * DAY;
  const currentStart = end - days * DAY;
  const thisWeekStart = end - 7 * DAY;
  const lastWeekStart = end - 14 * DAY;
  const recipe: EdgeRecipe = {
    hourIndex: (floorTo(end, HOUR) - floorTo(end, DAY)) / HOUR,
    msIntoHour: end - floorTo(end, HOUR),
  };
  const today = floorTo(end, DAY);
  return {
    days,
    now: end,
    previousStart,
    currentStart,
    lastWeekStart,
    thisWeekStart,
    recipe,
    github: {
      previousStart: utcDate(today - (2 * days - 1) * DAY),
      currentStart: utcDate(today - (days - 1) * DAY),
      lastWeekStart: utcDate(today - 13 * DAY),
      thisWeekStart: utcDate(today - 6 * DAY),
      today: utcDate(today),
    },
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
