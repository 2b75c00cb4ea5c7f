import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeMarkdownCell } from "../../src/metrics/escape-markdown-cell.js";

describe("escapeMarkdownCell", () => {
  it("keeps names from data as text inside their cell", () => {
    expect(escapeMarkdownCell("evil|<b>/[x](y) @team #1 *z*")).toBe(
      "evil\\|\\<b\\>/\\[x\\]\\(y\\) @\u200bteam \\#1 \\*z\\*",
    );
  });

  it("escapes so that a cell never gains an unescaped pipe, bracket, angle or line break", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const cell = escapeMarkdownCell(text);
        expect(cell).not.toMatch(/[\r\n]/);
        // Every special character is preceded by an odd run of backslashes.
        for (const m of cell.matchAll(/(\\*)([|[\]<>`*_#])/g)) {
          expect(m[1]!.length % 2).toBe(1);
        }
      }),
    );
  });
});
