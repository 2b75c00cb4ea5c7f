export { computeMetrics, DEFAULT_METRICS_DAYS, MAX_METRICS_DAYS } from "./compute-metrics.js";
export { countMetric } from "./count-metric.js";
export {
  createMetricsHandler,
  type MetricsHandler,
  type MetricsHandlerOptions,
} from "./create-metrics-handler.js";
export { escapeMarkdownCell } from "./escape-markdown-cell.js";
export { formatChange } from "./format-change.js";
export { getRepositoriesMetrics, parseFullName } from "./get-repositories-metrics.js";
export { foldMetrics, reconcileMetricsMembers } from "./fold-metrics.js";
export { getWorkspaceMetrics } from "./get-workspace-metrics.js";
export { type DaysParam, parseDaysParam } from "./parse-days-param.js";
export { type MetricsMaintenance, startMetricsMaintenance } from "./maintain-metrics.js";
export {
  type ChartPoint,
  type ChartSeries,
  chartPoints,
  type DailyFigures,
  MAX_CHART_POINTS,
  utcDates,
} from "./chart-points.js";
export { type DailyHistory, type FigureSource, readDailyHistory } from "./read-daily-history.js";
export { renderHistoryChart, renderStarsChart } from "./render-stars-chart.js";
export type * from "./types.js";
