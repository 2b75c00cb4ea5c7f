import type { Metrics } from "./types.js";

/**
 * Mermaid's xychart-beta has no date axis: every x value is a category label and every
 * label is drawn, so past this many points they overlap. Longer windows go per week.
 */
export const MAX_CHART_POINTS = 45;

export interface ChartSeries {
  unit: "day" | "week";
  labels: string[];
  values: number[];
}

/**
 * Stars per day of the timeline, or per 7-day bucket when the days would exceed
 * `MAX_CHART_POINTS`. Buckets are counted back from the last day, so the last bucket is the
 * latest full week and only the first may be shorter; each is labelled by its first date.
 */
export function starsSeries(metrics: Metrics): ChartSeries {
  const timeline = metrics.timeline;
  if (timeline.length <= MAX_CHART_POINTS) {
    return {
      unit: "day",
      labels: timeline.map((d) => d.date),
      values: timeline.map((d) => d.stars),
    };
  }
  const labels: string[] = [];
  const values: number[] = [];
  for (let end = timeline.length; end > 0; end -= 7) {
    const week = timeline.slice(Math.max(0, end - 7), end);
    labels.unshift(week[0]!.date);
    values.unshift(week.reduce((s, d) => s + d.stars, 0));
  }
  return { unit: "week", labels, values };
}

/**
 * A fenced `mermaid` block with an `xychart-beta` bar chart of stars. Labels are dates
 * made here, never text from data, so nothing needs escaping inside the quotes.
 */
export function renderStarsChart(metrics: Metrics): string {
  const { unit, labels, values } = starsSeries(metrics);
  const top = Math.max(1, ...values);
  const title = unit === "day" ? "Stars per day" : "Stars per week (labelled by first day)";
  return [
    "```mermaid",
    "xychart-beta",
    `  title "${title}"`,
    `  x-axis [${labels.map((l) => `"${l}"`).join(", ")}]`,
    `  y-axis "Stars" 0 --> ${top}`,
    `  bar [${values.join(", ")}]`,
    "```",
  ].join("\n");
}
