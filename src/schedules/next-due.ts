import { Cron } from "croner";

/** `cron|timezone`: a changed schedule (or zone) is a new one, computed afresh. */
export function scheduleKey(schedule: string, timezone: string | undefined): string {
  return `${schedule.trim()}|${timezone ?? "UTC"}`;
}

/**
 * The first due time strictly after `after` (croner, Vixie-cron semantics: day-of-month and
 * day-of-week OR-ed), or null when the expression never fires again.
 */
export function nextDue(schedule: string, timezone: string | undefined, after: Date): Date | null {
  const cron = new Cron(schedule.trim(), {
    mode: "5-part",
    paused: true,
    timezone: timezone ?? "UTC",
  });
  return cron.nextRun(after);
}
