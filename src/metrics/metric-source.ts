import type { WindowPlan } from "./split-window.js";
import type { MetricSource } from "./types.js";

const DAY = 86_400_000;

/**
 * The source of one repository's stars or forks: the dates its windows read are the 2·days
 * GitHub dates ending today plus the day the events' previous window starts in; each is
 * GitHub's when [from, to] covers it, else the events'.
 */
export function sourceOf(plan: WindowPlan, from: string | null, to: string | null): MetricSource {
  if (from === null || to === null) return "events";
  const first = plan.github.previousStart;
  const last = plan.github.today;
  const lo = from > first ? from : first;
  const hi = to < last ? to : last;
  const covered = lo > hi ? 0 : Math.round((Date.parse(hi) - Date.parse(lo)) / DAY) + 1;
  // The date before `first` holds the start of the events' previous window.
  const before = new Date(Date.parse(first) - DAY).toISOString().slice(0, 10);
  const uncovered = 2 * plan.days - covered + (from <= before && before <= to ? 0 : 1);
  if (covered === 0) return "events";
  return uncovered === 0 ? "github" : "mixed";
}

export function combineSources(sources: MetricSource[]): MetricSource {
  if (sources.length === 0) return "events";
  return sources.every((s) => s === sources[0]) ? sources[0]! : "mixed";
}
