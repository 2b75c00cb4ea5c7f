import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { badgeValue } from "../../src/embed/badge-value.js";
import { renderBadge } from "../../src/embed/render-badge.js";
import { renderHistorySvg, sourceLine } from "../../src/embed/render-history-svg.js";
import { chartPoints, utcDates } from "../../src/metrics/index.js";
import type { CountMetric } from "../../src/metrics/index.js";
import { externalReferences, parseSvg, rasterise, texts } from "./svg-check.js";

const metric = (m: Partial<CountMetric>): CountMetric => ({
  total: 0,
  current: 0,
  previous: 0,
  velocity: 0,
  previousVelocity: 0,
  percentChange: null,
  trend: "stable",
  source: "events",
  ...m,
});

/** `n` consecutive days ending 2026-11-30, with stars and forks that vary. */
function history(n: number) {
  const dates = utcDates(
    new Date(Date.parse("2026-11-30") - (n - 1) * 86_400_000).toISOString().slice(0, 10),
    "2026-11-30",
  );
  return dates.map((date, i) => ({ date, stars: 5 + ((i * 7) % 23), forks: (i * 3) % 5 }));
}

describe("the badge's figure (contract §8: the metrics API's percentChange)", () => {
  it.each([
    [
      metric({ percentChange: 15, trend: "up", current: 23, previous: 20 }),
      30,
      { text: "+15%/30d", tone: "up" },
    ],
    [
      metric({ percentChange: -4, trend: "stable", current: 24, previous: 25 }),
      30,
      { text: "-4%/30d", tone: "neutral" },
    ],
    [
      metric({ percentChange: -40, trend: "down", current: 6, previous: 10 }),
      7,
      { text: "-40%/7d", tone: "down" },
    ],
    [
      metric({ percentChange: 0, current: 5, previous: 5 }),
      30,
      { text: "0%/30d", tone: "neutral" },
    ],
    // No stars in the earlier window: the stars per day of this one.
    [metric({ current: 14, velocity: 0.47 }), 30, { text: "0.47/day", tone: "neutral" }],
    [metric({}), 30, { text: "n/a", tone: "neutral" }],
  ])("%o over %i days reads %o", (stars, days, expected) => {
    expect(badgeValue(stars, days)).toEqual(expected);
  });
});

describe("the badge SVG", () => {
  const svg = renderBadge({ label: "stars", value: "+15%/30d", tone: "up" });

  it("is well-formed, self-contained, and its text is text", () => {
    const elements = parseSvg(svg);
    expect(elements[0]).toMatchObject({ name: "svg" });
    expect(elements[0]!.attributes.xmlns).toBe("http://www.w3.org/2000/svg");
    expect(externalReferences(elements)).toEqual([]);
    expect(svg).not.toMatch(/<script/i);
    expect(texts(elements).filter((_, i) => i % 2 === 1)).toEqual(["stars", "+15%/30d"]);
    expect(elements.find((e) => e.name === "title")!.text).toBe("stars: +15%/30d");
  });

  it("escapes what it writes", () => {
    const odd = renderBadge({ label: `<a href="x">&`, value: "'\u0001", tone: "down" });
    const elements = parseSvg(odd);
    expect(texts(elements)).toContain(`<a href="x">&`);
    expect(texts(elements)).toContain("'");
    expect(externalReferences(elements)).toEqual([]);
  });

  it("renders (resvg) to a PNG of its size that is not blank", () => {
    const r = rasterise(svg);
    const width = Number(parseSvg(svg)[0]!.attributes.width);
    expect([r.width, r.height]).toEqual([width, 20]);
    expect(r.png.subarray(1, 4).toString()).toBe("PNG");
    expect(r.colours).toBeGreaterThan(10);
    expect(r.inkShare).toBeGreaterThan(0.5);
  });
});

describe("the history chart SVG", () => {
  const series = chartPoints(history(45));
  const at = (width: number, s = series) =>
    renderHistorySvg({
      repository: "acme/widgets",
      series: s,
      starsSource: "github",
      forksSource: "events",
      width,
    });

  it("is well-formed and self-contained, with a light and a dark palette", () => {
    const svg = at(800);
    const elements = parseSvg(svg);
    expect(externalReferences(elements)).toEqual([]);
    expect(svg).not.toMatch(/<script/i);
    const style = elements.find((e) => e.name === "style")!.text;
    expect(style).toMatch(/@media \(prefers-color-scheme:dark\)\{/);
    expect(elements[0]!.attributes).toMatchObject({ width: "800", height: "400" });
  });

  it("draws stars as 45 bars and forks as one line of 45 points, names the source in the corner", () => {
    const elements = parseSvg(at(800));
    const bars = elements.filter((e) => e.name === "rect" && e.attributes.class === "st");
    // The legend's swatch, then one per point.
    expect(bars).toHaveLength(46);
    const titles = elements.filter((e) => e.name === "title").map((e) => e.text);
    expect(titles[1]).toBe(
      `2026-10-17: ${series.points[0]!.stars} stars, ${series.points[0]!.forks} forks`,
    );
    const line = elements.find((e) => e.name === "polyline")!;
    expect(line.attributes.points!.split(" ")).toHaveLength(45);
    const all = texts(elements);
    expect(all[0]).toBe("acme/widgets");
    expect(all.at(-1)).toBe("stars: GitHub · forks: events");
    const corner = elements.filter((e) => e.name === "text").at(-1)!;
    expect(corner.attributes).toMatchObject({ "text-anchor": "end", x: "784", y: "390" });
  });

  it("shows fewer x labels at 300 px than at 800 px, the newest always, none overlapping", () => {
    const labels = (width: number) =>
      parseSvg(at(width))
        .filter(
          (e) =>
            e.name === "text" &&
            e.attributes.y === String(Number(parseSvg(at(width))[0]!.attributes.height) - 44 + 16),
        )
        .map((e) => ({ text: e.text, x: Number(e.attributes.x) }));
    const wide = labels(800);
    const narrow = labels(300);
    expect(narrow.length).toBeLessThan(wide.length);
    expect(narrow.length).toBeGreaterThanOrEqual(3);
    expect(wide[0]!.text).toBe("Nov 30");
    expect(narrow[0]!.text).toBe("Nov 30");
    for (const set of [wide, narrow]) {
      const xs = set.map((l) => l.x).sort((a, b) => a - b);
      // A label like "Nov 30" is ~40 px at 11 px; centres must stay further apart.
      for (let i = 1; i < xs.length; i++) expect(xs[i]! - xs[i - 1]!).toBeGreaterThan(40);
    }
  });

  it("stays under 30 KB for 45 points even at 1,600 px", () => {
    expect(Buffer.byteLength(at(1600))).toBeLessThan(30_000);
    expect(Buffer.byteLength(at(300))).toBeLessThan(30_000);
  });

  it.each([300, 800, 1600])("renders (resvg) at %i px to a PNG that is not blank", (width) => {
    const r = rasterise(at(width));
    expect(r.width).toBe(width);
    expect(r.colours).toBeGreaterThan(20);
    // Bars cover a fair share of the plot.
    expect(r.inkShare).toBeGreaterThan(0.05);
  });

  it("renders its dark palette legibly too (the media query's rules applied as a dark reader gets them)", () => {
    const svg = at(800);
    // resvg has no colour scheme to ask, so the test applies the dark rules itself.
    const dark = svg.replace(
      /<style>(.*?)@media \(prefers-color-scheme:dark\)\{(.*)\}<\/style>/s,
      (_, light: string, rules: string) => `<style>${light}${rules}</style>`,
    );
    expect(dark).not.toBe(svg);
    const lightR = rasterise(svg);
    const darkR = rasterise(dark);
    expect(darkR.colours).toBeGreaterThan(20);
    expect(darkR.inkShare).toBeGreaterThan(0.05);
    // A background pixel near the top-right corner: white, then GitHub's dark.
    expect(darkR.background).toBe("0d1117");
    expect(lightR.background).toBe("ffffff");
  });

  it("says so when there is nothing yet, and renders that too", () => {
    const empty = chartPoints([{ date: "2026-11-30", stars: 0, forks: 0 }]);
    const svg = renderHistorySvg({
      repository: "acme/new",
      series: empty,
      starsSource: null,
      forksSource: null,
      width: 300,
    });
    const all = texts(parseSvg(svg));
    expect(all).toContain("No stars or forks stored yet");
    expect(all.at(-1)).toBe("no stars or forks stored yet");
    expect(rasterise(svg).inkShare).toBeGreaterThan(0.01);
  });

  it("labels months for a long history and says per how many months", () => {
    const long = chartPoints(history(365 * 5));
    expect(long.unit).toBe("months");
    const svg = at(800, long);
    expect(texts(parseSvg(svg))).toContain(`per ${long.monthsPerPoint} months`);
    expect(texts(parseSvg(svg))).toContain(long.points.at(-1)!.label);
    expect(long.points.at(-1)!.label).toMatch(/^2026-(10|11)$/);
  });

  it("stays well-formed whatever the repository is called (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 150 }), (name) => {
        const elements = parseSvg(
          renderHistorySvg({
            repository: name,
            series,
            starsSource: "mixed",
            forksSource: "mixed",
            width: 300,
          }),
        );
        expect(externalReferences(elements)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe("the source corner", () => {
  it.each([
    ["github", "github", "source: GitHub"],
    ["events", "events", "source: events"],
    ["mixed", null, "source: GitHub + events"],
    [null, "events", "source: events"],
    ["github", "mixed", "stars: GitHub · forks: GitHub + events"],
    [null, null, "no stars or forks stored yet"],
  ] as const)("stars %s, forks %s → %s", (stars, forks, line) => {
    expect(sourceLine(stars, forks)).toBe(line);
  });
});
