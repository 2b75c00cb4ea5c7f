import { describe, expect, it } from "vitest";
import { countMetric } from "../../src/metrics/count-metric.js";
import { renderStarsChart } from "../../src/metrics/render-stars-chart.js";
import type { Metrics, RepositoryMetrics } from "../../src/metrics/types.js";

function _repo(
  repository: string,
  stars: [number, number],
  forks: [number, number],
  gap = 0,
): RepositoryMetrics {
  return {
    repository,
    stars: countMetric(100, stars[0], stars[1], 30),
    forks: countMetric(10, forks[0], forks[1], 30),
    thisWeek: { stars: 0, forks: 0 },
    lastWeek: { stars: 0, forks: 0 },
    totalEvents: stars[0] + forks[0],
    coverage: {
      repository,
      firstEvent: null,
      lastEvent: null,
      daysWithEvents: 60 - gap,
      spanDays: 60,
      longestGapDays: gap,
      hasPreviousWindow: stars[1] + forks[1] > 0,
      needsBackfill: stars[1] + forks[1] === 0 || gap > 7,
    },
  };
}

function metrics(days: number, repositories: RepositoryMetrics[]): Metrics {
  const start = Date.parse("2024-01-01T00:00:00Z");
  const sum = (f: (r: RepositoryMetrics) => number) => repositories.reduce((s, r) => s + f(r), 0);
  return {
    window: { days, previousStart: "", currentStart: "", end: "" },
    stars: countMetric(
      0,
      sum((r) => r.stars.current),
      sum((r) => r.stars.previous),
      30,
    ),
    forks: countMetric(
      0,
      sum((r) => r.forks.current),
      sum((r) => r.forks.previous),
      30,
    ),
    thisWeek: { stars: 0, forks: 0 },
    lastWeek: { stars: 0, forks: 0 },
    timeline: Array.from({ length: days }, (_, i) => ({
      date: new Date(start + i * 86_400_000).toISOString().slice(0, 10),
      stars: i % 4,
      forks: 0,
      total: i % 4,
    })),
    activity: { totalEvents: 0, uniqueActors: 0, mostActiveRepo: null },
    coverage: repositories.map((r) => r.coverage),
    repositories,
  };
}

/**
 * The subset of Mermaid's xychart-beta grammar the chart uses: header, optional title,
 * a category x-axis of quoted strings, a numeric y-axis range, and bar/line series of
 * numbers, one value per category, within the y range.
 */
function parseXyChart(block: string): { labels: string[]; series: number[][] } {
  const lines = block.split("\n");
  expect(lines[0]).toBe("```mermaid");
  expect(lines.at(-1)).toBe("```");
  const body = lines
    .slice(1, -1)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  expect(body[0]).toBe("xychart-beta");
  const quoted = String.raw`"[^"\n]*"`;
  const number = String.raw`-?\d+(?:\.\d+)?`;
  let labels: string[] | null = null;
  let range: [number, number] | null = null;
  const series: number[][] = [];
  const xAxis = new RegExp(`^x-axis \\[(${quoted}(?:, ${quoted})*)\\]$`);
  const yAxis = new RegExp(`^y-axis ${quoted} (${number}) --> (${number})$`);
  const values = new RegExp(`^(?:bar|line) \\[(${number}(?:, ${number})*)\\]$`);
  for (const line of body.slice(1)) {
    if (new RegExp(`^title ${quoted}$`).test(line)) continue;
    const x = xAxis.exec(line);
    const y = yAxis.exec(line);
    const v = values.exec(line);
    if (x) labels = [...x[1]!.matchAll(/"([^"]*)"/g)].map((l) => l[1]!);
    else if (y) range = [Number(y[1]), Number(y[2])];
    else if (v) series.push(v[1]!.split(", ").map(Number));
    else throw new Error(`not xychart-beta: ${line}`);
  }
  expect(labels).not.toBeNull();
  expect(range).not.toBeNull();
  expect(range![0]).toBeLessThan(range![1]);
  for (const s of series) {
    expect(s).toHaveLength(labels!.length);
    for (const v of s) expect(v >= range![0] && v <= range![1]).toBe(true);
  }
  return { labels: labels!, series };
}

describe("renderStarsChart", () => {
  it("charts stars as bars and forks as a line per day up to 45 days", () => {
    const m = metrics(7, []);
    m.timeline[2]!.forks = 4;
    const chart = renderStarsChart(m);
    expect(chart).toMatchInlineSnapshot(`
      "\`\`\`mermaid
      xychart-beta
        title "Stars (bars) and forks (line) per day"
        x-axis ["Jan 1", "Jan 2", "Jan 3", "Jan 4", "Jan 5", "Jan 6", "Jan 7"]
        y-axis "Stars and forks" 0 --> 4
        bar [0, 1, 2, 3, 0, 1, 2]
        line [0, 0, 4, 0, 0, 0, 0]
      \`\`\`"
    `);
    expect(parseXyChart(chart).labels).toHaveLength(7);
    expect(parseXyChart(renderStarsChart(metrics(45, []))).labels).toHaveLength(45);
  });

  it("charts per week beyond 45 days, the last week ending on the last day", () => {
    const chart = renderStarsChart(metrics(46, []));
    expect(chart).toMatchInlineSnapshot(`
      "\`\`\`mermaid
      xychart-beta
        title "Stars (bars) and forks (line) per week, labelled by its first day"
        x-axis ["Jan 1", "Jan 5", "Jan 12", "Jan 19", "Jan 26", "Feb 2", "Feb 9"]
        y-axis "Stars and forks" 0 --> 12
        bar [6, 9, 10, 11, 12, 9, 10]
        line [0, 0, 0, 0, 0, 0, 0]
      \`\`\`"
    `);
    const { labels, series } = parseXyChart(chart);
    expect(labels).toHaveLength(7);
    expect(series[0]!.reduce((a, b) => a + b, 0)).toBe(
      metrics(46, []).timeline.reduce((s, d) => s + d.stars, 0),
    );
  });

  it("stays valid xychart-beta for every window length and an all-zero timeline", () => {
    for (let days = 1; days <= 365; days++) {
      const { labels } = parseXyChart(renderStarsChart(metrics(days, [])));
      expect(labels.length).toBeLessThanOrEqual(45);
    }
    const zero = metrics(30, []);
    zero.timeline = zero.timeline.map((d) => ({ ...d, stars: 0, total: 0 }));
    expect(renderStarsChart(zero)).toContain('y-axis "Stars and forks" 0 --> 1');
    expect(() => parseXyChart("```mermaid\nxychart-beta\n  x-axis [a, b]\n```")).toThrow();
  });
});
