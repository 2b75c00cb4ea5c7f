import type { CountMetric, MetricSource, Trend } from "./types.js";

/** Beyond ±5% a change is a trend; within it, noise. */
const TREND_THRESHOLD = 5;

const twoDecimals = (n: number) => Math.round(n * 100) / 100;

/**
 * Velocity, change and trend from two window counts. An empty previous window has no
 * percentage (the seed's "0%" there is what back-fills exist to cure): `percentChange` is
 * null and the trend is `up` when the current window has events, else `stable`.
 */
export function countMetric(
  total: number,
  current: number,
  previous: number,
  days: number,
  source: MetricSource = "events",
): CountMetric {
  const percentChange = previous === 0 ? null : Math.round(((current - previous) / previous) * 100);
  let trend: Trend = "stable";
  if (percentChange === null) trend = current > 0 ? "up" : "stable";
  else if (percentChange > TREND_THRESHOLD) trend = "up";
  else if (percentChange < -TREND_THRESHOLD) trend = "down";
  return {
    total,
    current,
    previous,
    velocity: twoDecimals(current / days),
    previousVelocity: twoDecimals(previous / days),
    percentChange,
    trend,
    source,
  };
}
