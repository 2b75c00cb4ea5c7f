const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of a moment, in UTC. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The UTC date `days` after (or before, when negative) `date`. */
export const addDays = (date: string, days: number): string =>
  utcDay(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS);

/** The earlier of two dates (`YYYY-MM-DD` compares as text). */
export const minDay = (a: string, b: string): string => (a < b ? a : b);
