import { DEFAULT_METRICS_DAYS, MAX_METRICS_DAYS } from "./compute-metrics.js";

export type DaysParam = { ok: true; days: number } | { ok: false; error: string };

/**
 * The `days` query parameter as the metrics API reads it (contract §6) and the embeds too
 * (§8): absent → 30; else exactly one whole number from 1 to 365, written without sign,
 * fraction or exponent.
 */
export function parseDaysParam(params: URLSearchParams): DaysParam {
  const values = params.getAll("days");
  if (values.length === 0) return { ok: true, days: DEFAULT_METRICS_DAYS };
  const value = values[0]!;
  if (
    values.length > 1 ||
    !/^\d{1,3}$/.test(value) ||
    Number(value) < 1 ||
    Number(value) > MAX_METRICS_DAYS
  ) {
    return { ok: false, error: `days must be a whole number from 1 to ${MAX_METRICS_DAYS}` };
  }
  return { ok: true, days: Number(value) };
}
