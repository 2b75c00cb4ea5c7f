import { formatChange } from "../metrics/index.js";
import type { CountMetric } from "../metrics/index.js";

export type BadgeTone = "up" | "down" | "neutral";

export interface BadgeValue {
  text: string;
  tone: BadgeTone;
}

/**
 * The badge's figure (contract §8), from the same stars metric the metrics API answers:
 * the change against the earlier window, `+15%/30d`; where that window has no stars, the
 * stars per day of the current one (`0.4/day`); `n/a` when neither window has any.
 */
export function badgeValue(stars: CountMetric, days: number): BadgeValue {
  if (stars.percentChange !== null) {
    const tone = stars.trend === "up" ? "up" : stars.trend === "down" ? "down" : "neutral";
    return { text: `${formatChange(stars.percentChange)}/${days}d`, tone };
  }
  if (stars.current > 0) return { text: `${stars.velocity}/day`, tone: "neutral" };
  return { text: "n/a", tone: "neutral" };
}
