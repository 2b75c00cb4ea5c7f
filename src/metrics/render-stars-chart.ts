import { type ChartSeries, chartPoints } from "./chart-points.js";
import type { Metrics } from "./types.js";

const TITLES: Record<Exclude<ChartSeries["unit"], "months">, string> = {
  day: "Stars (bars) and forks (line) per day",
  week: "Stars (bars) and forks (line) per week, labelled by its first day",
  month: "Stars (bars) and forks (line) per month",
};

/**
 * A fenced `mermaid` block with an `xychart-beta` chart (contract §3): stars as bars, forks
 * as a line, over at most 45 points. Labels are dates made here, never text from data, so
 * nothing needs escaping inside the quotes.
 */
export function renderHistoryChart(series: ChartSeries): string {
  const { points } = series;
  const top = Math.max(1, ...points.map((p) => Math.max(p.stars, p.forks)));
  const title =
    series.unit === "months"
      ? `Stars (bars) and forks (line) per ${series.monthsPerPoint} months`
      : TITLES[series.unit];
  return [
    "```mermaid",
    "xychart-beta",
    `  title "${title}"`,
    `  x-axis [${points.map((p) => `"${p.label}"`).join(", ")}]`,
    `  y-axis "Stars and forks" 0 --> ${top}`,
    `  bar [${points.map((p) => p.stars).join(", ")}]`,
    `  line [${points.map((p) => p.forks).join(", ")}]`,
    "```",
  ].join("\n");
}

/** The chart of a metrics window's timeline. */
export function renderStarsChart(metrics: Metrics): string {
  return renderHistoryChart(chartPoints(metrics.timeline));
}
