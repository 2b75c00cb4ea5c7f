const HOUR = 3_600_000;
const DAY = 86_400_000;

export type Range = readonly [from: number, to: number];

/** How [start, end) is read: whole UTC days, whole UTC hours, and the raw minutes between. */
export interface WindowPlan {
  days: number;
  now: number;
  /** The edges, ms since epoch. */
  previousStart: number;
  currentStart: number;
  lastWeekStart: number;
  thisWeekStart: number;
  /** Everything the metrics read: [min(previousStart, lastWeekStart), now). */
  start: number;
  dayRanges: Range[];
  hourRanges: Range[];
  exactRanges: Range[];
}

const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;
const ceilTo = (t: number, unit: number) => Math.ceil(t / unit) * unit;

function pushMerged(list: Range[], from: number, to: number): void {
  if (from >= to) return;
  const last = list.at(-1);
  if (last && last[1] === from) list[list.length - 1] = [last[0], to];
  else list.push([from, to]);
}

/**
 * Splits the span the metrics read at every window edge, then each piece into whole UTC
 * days, whole UTC hours and the raw remainder. No day or hour bucket then straddles an
 * edge, so a bucket belongs to a window by its start alone, and the raw remainder (at most
 * two partial hours per edge) is all that is read event by event.
 */
export function splitWindow(now: Date, days: number): WindowPlan {
  const end = now.getTime();
  const previousStart = end - 2 * days * DAY;
  const currentStart = end - days * DAY;
  const thisWeekStart = end - 7 * DAY;
  const lastWeekStart = end - 14 * DAY;
  const start = Math.min(previousStart, lastWeekStart);
  const cuts = [...new Set([start, previousStart, currentStart, lastWeekStart, thisWeekStart, end])]
    .filter((t) => t >= start && t <= end)
    .sort((a, b) => a - b);
  const dayRanges: Range[] = [];
  const hourRanges: Range[] = [];
  const exactRanges: Range[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const x = cuts[i]!;
    const y = cuts[i + 1]!;
    const xh = ceilTo(x, HOUR);
    const yh = floorTo(y, HOUR);
    if (xh >= yh) {
      pushMerged(exactRanges, x, y);
      continue;
    }
    pushMerged(exactRanges, x, xh);
    const xd = ceilTo(xh, DAY);
    const yd = floorTo(yh, DAY);
    if (xd >= yd) {
      pushMerged(hourRanges, xh, yh);
    } else {
      pushMerged(hourRanges, xh, xd);
      pushMerged(dayRanges, xd, yd);
      pushMerged(hourRanges, yd, yh);
    }
    pushMerged(exactRanges, yh, y);
  }
  return {
    days,
    now: end,
    previousStart,
    currentStart,
    lastWeekStart,
    thisWeekStart,
    start,
    dayRanges,
    hourRanges,
    exactRanges,
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
