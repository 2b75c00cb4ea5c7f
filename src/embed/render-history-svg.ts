import type { ChartSeries, FigureSource } from "../metrics/index.js";
import { escapeXml, FONT_STACK, fitText, textWidth } from "./svg-text.js";

export const MIN_CHART_WIDTH = 300;
export const MAX_CHART_WIDTH = 1600;
export const DEFAULT_CHART_WIDTH = 800;

export interface HistorySvgInput {
  /** `owner/name` as GitHub spells it. */
  repository: string;
  series: ChartSeries;
  starsSource: FigureSource | null;
  forksSource: FigureSource | null;
  /** Pixels, MIN_CHART_WIDTH to MAX_CHART_WIDTH. */
  width: number;
}

// GitHub's own light and dark palettes (Primer): text at least 4.5:1 on its background,
// bars and line at least 3:1 (WCAG's figure for graphics) in both. A README's theme reaches
// the image through prefers-color-scheme; a reader without it sees the light one, which
// carries its own background and so stays legible on a dark page too.
const STYLE = [
  ".bg{fill:#ffffff}.tx{fill:#1f2328}.mu{fill:#59636e}.gr{stroke:#d1d9e0}.ax{stroke:#818b98}",
  ".st{fill:#bf8700}.fk{stroke:#0969da;fill:none}.fd{fill:#0969da}",
  "@media (prefers-color-scheme:dark){.bg{fill:#0d1117}.tx{fill:#f0f6fc}.mu{fill:#9198a1}",
  ".gr{stroke:#3d444d}.ax{stroke:#656c76}.st{fill:#d29922}.fk{stroke:#4493f8}.fd{fill:#4493f8}}",
].join("");

const SOURCE_NAMES: Record<FigureSource, string> = {
  github: "GitHub",
  events: "events",
  mixed: "GitHub + events",
};

const UNIT_WORDS: Record<Exclude<ChartSeries["unit"], "months">, string> = {
  day: "per day",
  week: "per week",
  month: "per month",
};

/** Where the figures came from, short enough for the corner of a 300 px chart. */
export function sourceLine(stars: FigureSource | null, forks: FigureSource | null): string {
  if (stars === null && forks === null) return "no stars or forks stored yet";
  if (stars === forks || forks === null) return `source: ${SOURCE_NAMES[stars!]}`;
  if (stars === null) return `source: ${SOURCE_NAMES[forks]}`;
  return `stars: ${SOURCE_NAMES[stars]} · forks: ${SOURCE_NAMES[forks]}`;
}

/** About `count` round steps (1, 2 or 5 × 10ⁿ) from 0 to at least `top`. */
function ticks(top: number, count: number): number[] {
  const raw = Math.max(1, top) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const whole = Math.max(1, Math.round(step));
  const values: number[] = [];
  for (let v = 0; v < top + whole; v += whole) values.push(v);
  return values.length > 1 ? values : [0, whole];
}

const tickLabel = (v: number) =>
  v >= 1_000_000 ? `${v / 1_000_000}M` : v >= 10_000 ? `${v / 1_000}k` : String(v);

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * The history chart of contract §8: stars as bars and forks as a line over the points
 * `chartPoints` chose (the same as the Mermaid chart of §3), a y axis of round steps, as
 * many x labels as fit the width (every k-th, counted back from the newest), the source in
 * the bottom-right corner. Every text is a `<text>` element; each bar carries a `<title>`
 * with its figures for a reader's tooltip.
 */
export function renderHistorySvg(input: HistorySvgInput): string {
  const { series, width } = input;
  const height = Math.round(Math.min(600, Math.max(220, width * 0.5)));
  const points = series.points;
  const top = Math.max(0, ...points.map((p) => Math.max(p.stars, p.forks)));
  const pad = 16;
  const plotTop = 62;
  const plotBottom = height - 44;
  const scale = ticks(top, Math.max(3, Math.min(6, Math.floor((plotBottom - plotTop) / 40))));
  const yMax = scale[scale.length - 1]!;
  const yLabelWidth = Math.ceil(Math.max(...scale.map((v) => textWidth(tickLabel(v), 11))));
  const plotLeft = pad + yLabelWidth + 8;
  const plotRight = width - pad - 8;
  const plotWidth = plotRight - plotLeft;
  const y = (v: number) => round(plotBottom - (v / yMax) * (plotBottom - plotTop));
  const slot = plotWidth / Math.max(1, points.length);
  const cx = (i: number) => round(plotLeft + slot * (i + 0.5));
  const unit =
    series.unit === "months" ? `per ${series.monthsPerPoint} months` : UNIT_WORDS[series.unit];

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(`Stars and forks of ${input.repository} ${unit}`)}" font-family="${FONT_STACK}">`,
    `<title>${escapeXml(`Stars (bars) and forks (line) of ${input.repository} ${unit}`)}</title>`,
    `<style>${STYLE}</style>`,
    `<rect class="bg" width="${width}" height="${height}" rx="6"/>`,
    `<text class="tx" x="${pad}" y="26" font-size="15" font-weight="600">${escapeXml(fitText(input.repository, width - 2 * pad, 15, true))}</text>`,
  ];

  // Legend: a bar swatch for stars, a line swatch for forks, then the unit; each placed
  // after the estimated width of what precedes it.
  const forksAt = pad + 14 + Math.ceil(textWidth("stars", 12)) + 10;
  const unitAt = forksAt + 18 + Math.ceil(textWidth("forks", 12)) + 10;
  out.push(
    `<rect class="st" x="${pad}" y="38" width="10" height="10" rx="1"/>`,
    `<text class="mu" x="${pad + 14}" y="47" font-size="12">stars</text>`,
    `<line class="fk" x1="${forksAt}" y1="43" x2="${forksAt + 14}" y2="43" stroke-width="2"/>`,
    `<text class="mu" x="${forksAt + 18}" y="47" font-size="12">forks</text>`,
    `<text class="mu" x="${unitAt}" y="47" font-size="12">${unit}</text>`,
  );

  for (const v of scale) {
    out.push(
      `<line class="gr" x1="${plotLeft}" y1="${y(v)}" x2="${plotRight}" y2="${y(v)}" stroke-width="1"/>`,
      `<text class="mu" x="${plotLeft - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${tickLabel(v)}</text>`,
    );
  }

  const barWidth = round(Math.max(1, slot * 0.7));
  points.forEach((p, i) => {
    const h = round(plotBottom - y(p.stars));
    const span = p.from === p.to ? p.from : `${p.from} to ${p.to}`;
    out.push(
      `<rect class="st" x="${round(cx(i) - barWidth / 2)}" y="${y(p.stars)}" width="${barWidth}" height="${h}"><title>${span}: ${p.stars} stars, ${p.forks} forks</title></rect>`,
    );
  });
  if (points.length > 0) {
    out.push(
      `<polyline class="fk" stroke-width="2" stroke-linejoin="round" points="${points.map((p, i) => `${cx(i)},${y(p.forks)}`).join(" ")}"/>`,
    );
    if (slot >= 10) {
      for (const [i, p] of points.entries()) {
        out.push(`<circle class="fd" cx="${cx(i)}" cy="${y(p.forks)}" r="2.5"/>`);
      }
    }
  }
  out.push(
    `<line class="ax" x1="${plotLeft}" y1="${plotBottom}" x2="${plotRight}" y2="${plotBottom}" stroke-width="1"/>`,
  );
  if (top === 0) {
    out.push(
      `<text class="mu" x="${round((plotLeft + plotRight) / 2)}" y="${round((plotTop + plotBottom) / 2)}" font-size="13" text-anchor="middle">No stars or forks stored yet</text>`,
    );
  }

  // x labels: as many as fit side by side, every k-th counted back so the newest is shown.
  const labelWidth = Math.max(...points.map((p) => textWidth(p.label, 11)), 1) + 10;
  const fit = Math.max(1, Math.floor(plotWidth / labelWidth));
  const step = Math.ceil(points.length / fit);
  for (let i = points.length - 1; i >= 0; i -= step) {
    out.push(
      `<text class="mu" x="${cx(i)}" y="${plotBottom + 16}" font-size="11" text-anchor="middle">${escapeXml(points[i]!.label)}</text>`,
    );
  }

  out.push(
    `<text class="mu" x="${width - pad}" y="${height - 10}" font-size="11" text-anchor="end">${escapeXml(sourceLine(input.starsSource, input.forksSource))}</text>`,
    "</svg>",
    "",
  );
  return out.join("\n");
}
