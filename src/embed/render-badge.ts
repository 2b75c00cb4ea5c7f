import type { BadgeTone } from "./badge-value.js";
import { escapeXml, FONT_STACK, textWidth } from "./svg-text.js";

// Fills for white text, each at least 4.5:1 against it (WCAG AA), so the badge reads the
// same on a light or a dark README: it carries its own background.
const LABEL_FILL = "#555555";
const TONE_FILL: Record<BadgeTone, string> = {
  up: "#1a7f37",
  down: "#cf222e",
  neutral: "#0969da",
};
const HEIGHT = 20;
const FONT_SIZE = 11;
const PADDING = 6;

export interface BadgeInput {
  label: string;
  value: string;
  tone: BadgeTone;
}

/**
 * A flat two-part badge in the shields.io shape: label on grey, value on the tone's colour.
 * Text stays text (searchable, copyable); `textLength` pins each text to the width the
 * layout reserved, whatever system font the reader has.
 */
export function renderBadge(input: BadgeInput): string {
  const labelText = Math.ceil(textWidth(input.label, FONT_SIZE));
  const valueText = Math.ceil(textWidth(input.value, FONT_SIZE));
  const labelWidth = labelText + 2 * PADDING;
  const valueWidth = valueText + 2 * PADDING;
  const width = labelWidth + valueWidth;
  const label = escapeXml(input.label);
  const value = escapeXml(input.value);
  const title = `${label}: ${value}`;
  const text = (x: number, content: string, length: number) =>
    `<text x="${x}" y="15" fill="#010101" fill-opacity=".3" textLength="${length}" lengthAdjust="spacingAndGlyphs" aria-hidden="true">${content}</text>` +
    `<text x="${x}" y="14" textLength="${length}" lengthAdjust="spacingAndGlyphs">${content}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" role="img" aria-label="${title}">`,
    `<title>${title}</title>`,
    `<linearGradient id="shine" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`,
    `<clipPath id="round"><rect width="${width}" height="${HEIGHT}" rx="3"/></clipPath>`,
    `<g clip-path="url(#round)">`,
    `<rect width="${labelWidth}" height="${HEIGHT}" fill="${LABEL_FILL}"/>`,
    `<rect x="${labelWidth}" width="${valueWidth}" height="${HEIGHT}" fill="${TONE_FILL[input.tone]}"/>`,
    `<rect width="${width}" height="${HEIGHT}" fill="url(#shine)"/>`,
    "</g>",
    `<g fill="#fff" text-anchor="middle" font-family="${FONT_STACK}" font-size="${FONT_SIZE}">`,
    text(labelWidth / 2, label, labelText),
    text(labelWidth + valueWidth / 2, value, valueText),
    "</g>",
    "</svg>",
    "",
  ].join("\n");
}
