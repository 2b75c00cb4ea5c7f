import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chartPoints, type DailyFigures, utcDates } from "../../src/metrics/chart-points.js";

const series = (from: string, to: string, f: (i: number) => [number, number] = () => [1, 0]) =>
  utcDates(from, to).map((date, i): DailyFigures => {
    const [stars, forks] = f(i);
    return { date, stars, forks };
  });

const CALENDAR = utcDates("2010-03-07", "2030-01-01");

describe("chartPoints", () => {
  it("keeps days up to 45, labelled like Sep 3", () => {
    const { unit, points } = chartPoints(series("2026-09-01", "2026-09-03", (i) => [i, 2 * i]));
    expect(unit).toBe("day");
    expect(points).toEqual([
      { label: "Sep 1", from: "2026-09-01", to: "2026-09-01", stars: 0, forks: 0 },
      { label: "Sep 2", from: "2026-09-02", to: "2026-09-02", stars: 1, forks: 2 },
      { label: "Sep 3", from: "2026-09-03", to: "2026-09-03", stars: 2, forks: 4 },
    ]);
    expect(chartPoints(series("2026-01-01", "2026-02-14")).points).toHaveLength(45);
  });

  it("goes per week from 46 days, the last week whole and ending on the last day", () => {
    const { unit, points } = chartPoints(series("2026-01-01", "2026-02-15"));
    expect(unit).toBe("week");
    expect(points).toHaveLength(7);
    expect(points[0]).toEqual({
      label: "Jan 1",
      from: "2026-01-01",
      to: "2026-01-04",
      stars: 4,
      forks: 0,
    });
    expect(points.at(-1)).toEqual({
      label: "Feb 9",
      from: "2026-02-09",
      to: "2026-02-15",
      stars: 7,
      forks: 0,
    });
  });

  it("goes per calendar month where weeks would exceed 45, labelled 2024-09", () => {
    const { unit, points } = chartPoints(series("2023-09-15", "2026-12-02"));
    expect(unit).toBe("month");
    expect(points).toHaveLength(40);
    expect(points[0]).toMatchObject({
      label: "2023-09",
      from: "2023-09-15",
      to: "2023-09-30",
      stars: 16,
    });
    expect(points[1]).toMatchObject({ label: "2023-10", stars: 31 });
    expect(points.at(-1)).toMatchObject({
      label: "2026-12",
      from: "2026-12-01",
      to: "2026-12-02",
      stars: 2,
    });
  });

  it("sums runs of months for a history longer than 45 months", () => {
    const { unit, monthsPerPoint, points } = chartPoints(series("2015-01-01", "2026-12-31"));
    expect(unit).toBe("months");
    expect(monthsPerPoint).toBe(4);
    expect(points).toHaveLength(36);
    expect(points[0]).toMatchObject({ label: "2015-01", from: "2015-01-01", to: "2015-04-30" });
    expect(points.at(-1)).toMatchObject({ label: "2026-09", to: "2026-12-31" });
  });

  it("keeps every star and fork, within 45 points, for any span", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6000 }),
        fc.integer({ min: 0, max: 10 }),
        (length, seed) => {
          const days = series("2010-03-07", CALENDAR[length - 1]!, (i) => [(i * seed) % 7, i % 3]);
          const { points } = chartPoints(days);
          expect(points.length).toBeLessThanOrEqual(45);
          expect(points.reduce((s, p) => s + p.stars, 0)).toBe(
            days.reduce((s, d) => s + d.stars, 0),
          );
          expect(points.reduce((s, p) => s + p.forks, 0)).toBe(
            days.reduce((s, d) => s + d.forks, 0),
          );
          expect(points[0]!.from).toBe(days[0]!.date);
          expect(points.at(-1)!.to).toBe(days.at(-1)!.date);
          for (const p of points) expect(p.label.length).toBeLessThanOrEqual(7);
        },
      ),
      { numRuns: 100 },
    );
  });
});
