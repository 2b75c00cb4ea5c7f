import { describe, expect, it } from "vitest";
import {
  isRetryableWrite,
  writeRetryDefaults,
  writeRetryDelay,
} from "../../src/github/write-retry-delay.js";

/** An error shaped as Octokit's RequestError. */
function requestError(status: number, message: string, headers: Record<string, string> = {}) {
  return Object.assign(new Error(message), { status, response: { headers } });
}

const NOW = Date.parse("2026-11-28T12:00:00Z");
const SECONDARY = "You have exceeded a secondary rate limit. Please wait a few minutes.";

describe("writeRetryDelay", () => {
  it("doubles from 1 s to at most 60 s when GitHub says nothing, for 8 tries in all", () => {
    const err = requestError(403, SECONDARY);
    const waits = [1, 2, 3, 4, 5, 6, 7, 8].map((n) =>
      writeRetryDelay(err, n, writeRetryDefaults, NOW),
    );
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, null]);
  });

  it("honours Retry-After in seconds or as an HTTP date, up to 15 minutes", () => {
    const policy = writeRetryDefaults;
    expect(
      writeRetryDelay(requestError(403, SECONDARY, { "retry-after": "7" }), 1, policy, NOW),
    ).toBe(7_000);
    const date = new Date(NOW + 90_000).toUTCString();
    expect(
      writeRetryDelay(requestError(429, "slow down", { "retry-after": date }), 3, policy, NOW),
    ).toBe(90_000);
    expect(
      writeRetryDelay(requestError(403, SECONDARY, { "retry-after": "3600" }), 1, policy, NOW),
    ).toBe(900_000);
  });

  it("waits for the primary rate limit's reset", () => {
    const err = requestError(403, "API rate limit exceeded", {
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String(NOW / 1000 + 42),
    });
    expect(writeRetryDelay(err, 1, writeRetryDefaults, NOW)).toBe(42_000);
  });

  it("tries again after network and server errors, not after other refusals", () => {
    expect(isRetryableWrite(new Error("socket hang up"))).toBe(true);
    expect(isRetryableWrite(new TypeError("x.id is not a function"))).toBe(false);
    expect(isRetryableWrite(requestError(502, "Bad Gateway"))).toBe(true);
    expect(isRetryableWrite(requestError(403, SECONDARY))).toBe(true);
    expect(isRetryableWrite(requestError(429, "Too Many Requests"))).toBe(true);
    expect(isRetryableWrite(requestError(403, "Resource not accessible by integration"))).toBe(
      false,
    );
    expect(isRetryableWrite(requestError(404, "Not Found"))).toBe(false);
    expect(isRetryableWrite(requestError(422, "Validation Failed"))).toBe(false);
    expect(writeRetryDelay(requestError(404, "Not Found"), 1, writeRetryDefaults, NOW)).toBe(null);
  });
});
