/**
 * Text helpers for the embeds' SVG. The images name no font file (GitHub's image proxy and
 * browsers load no external resources from an SVG image), so they use the reader's system
 * fonts and the layout has to guess text widths from typical metrics.
 */

/** The system font stack GitHub itself uses; nothing to download. */
export const FONT_STACK =
  "-apple-system,BlinkMacSystemFont,'Segoe UI','Noto Sans',Helvetica,Arial,'DejaVu Sans',sans-serif";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes text for an XML element or a double-quoted attribute, and drops the characters
 * XML 1.0 forbids (control characters other than tab and newlines, lone surrogates),
 * which no escape can make well-formed.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[\p{Cs}\ufffe\uffff]|(?![\t\n\r])\p{Cc}/gu, "")
    .replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

// Advance widths of Arial in thousandths of an em; wider system fonts (DejaVu Sans is ~10%
// wider) are covered by WIDTH_MARGIN.
const NARROW = new Set([..." .,:;!'|/()[]ijlft"]);
const WIDE = new Set([..."mwMW%@"]);
const WIDTH_MARGIN = 1.12;

function advance(c: string): number {
  if (NARROW.has(c)) return c === "r" ? 333 : 278;
  if (WIDE.has(c)) return c === "W" ? 944 : 860;
  if (c === "r" || c === "-") return 333;
  if (/[A-Z]/.test(c)) return 690;
  if (/[cksvxyz]/.test(c)) return 500;
  return 556;
}

/** An over-estimate of the width in pixels of `text` at `size` px. */
export function textWidth(text: string, size: number, bold = false): number {
  let units = 0;
  for (const c of text) units += advance(c);
  return (units / 1000) * size * WIDTH_MARGIN * (bold ? 1.08 : 1);
}

/** `text` cut with an ellipsis so that it fits `width` pixels at `size` px. */
export function fitText(text: string, width: number, size: number, bold = false): string {
  if (textWidth(text, size, bold) <= width) return text;
  const chars = [...text];
  while (chars.length > 1 && textWidth(`${chars.join("")}…`, size, bold) > width) chars.pop();
  return `${chars.join("")}…`;
}
