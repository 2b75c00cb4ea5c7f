import { Resvg } from "@resvg/resvg-js";
import { SaxesParser } from "saxes";

export interface SvgElement {
  name: string;
  attributes: Record<string, string>;
  /** Text directly inside the element. */
  text: string;
}

/**
 * Parses an SVG with a conforming XML parser (saxes: well-formedness errors throw) and
 * returns every element in document order with its attributes and own text.
 */
export function parseSvg(svg: string): SvgElement[] {
  const parser = new SaxesParser({ xmlns: false });
  const elements: SvgElement[] = [];
  const open: SvgElement[] = [];
  let error: Error | null = null;
  parser.on("error", (e) => {
    error ??= e;
  });
  parser.on("opentag", (tag) => {
    const el = {
      name: tag.name,
      attributes: { ...(tag.attributes as Record<string, string>) },
      text: "",
    };
    elements.push(el);
    open.push(el);
  });
  parser.on("text", (t) => {
    const top = open[open.length - 1];
    if (top) top.text += t;
  });
  parser.on("closetag", () => {
    open.pop();
  });
  parser.write(svg).close();
  if (error) throw error;
  return elements;
}

/** What a README image must never carry: scripts, links or references to anything outside. */
export function externalReferences(elements: SvgElement[]): string[] {
  const found: string[] = [];
  for (const el of elements) {
    if (/^(script|foreignObject|image|use|a|iframe)$/i.test(el.name)) found.push(`<${el.name}>`);
    for (const [key, value] of Object.entries(el.attributes)) {
      if (/^(href|xlink:href|src)$/i.test(key)) found.push(`${key}=${value}`);
      if (/^on/i.test(key)) found.push(`${key}=`);
      for (const ref of value.matchAll(/url\(([^)]*)\)/g)) {
        if (!ref[1]!.trim().startsWith("#")) found.push(`url(${ref[1]})`);
      }
    }
    if (el.name === "style" && /@import|url\((?!\s*#)/i.test(el.text))
      found.push("style import/url");
  }
  return found;
}

export interface Rendered {
  width: number;
  height: number;
  /** Distinct RGBA colours among the pixels. */
  colours: number;
  /** Share of pixels differing from the top-left one. */
  inkShare: number;
  /** RGB hex of the pixel at (width − 4, 4): inside the chart's rounded background. */
  background: string;
  png: Buffer;
}

/** Renders with resvg (system fonts) and measures the pixels. */
export function rasterise(svg: string): Rendered {
  const image = new Resvg(svg, { font: { loadSystemFonts: true } }).render();
  const pixels = image.pixels;
  // A copy: the render's buffer need not be aligned for 32-bit reads.
  const view = new Uint32Array(Uint8Array.from(pixels).buffer);
  const first = view[0];
  let differ = 0;
  const colours = new Set<number>();
  for (const p of view) {
    colours.add(p);
    if (p !== first) differ += 1;
  }
  return {
    width: image.width,
    height: image.height,
    colours: colours.size,
    inkShare: differ / view.length,
    background: Buffer.from(
      pixels.subarray(
        (4 * image.width + image.width - 4) * 4,
        (4 * image.width + image.width - 4) * 4 + 3,
      ),
    ).toString("hex"),
    png: image.asPng(),
  };
}

/** The text of every `<text>` element, in order. */
export function texts(elements: SvgElement[]): string[] {
  return elements.filter((e) => e.name === "text").map((e) => e.text);
}
