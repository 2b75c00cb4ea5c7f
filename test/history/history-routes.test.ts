import { describe, expect, it } from "vitest";
import { DOCUMENTED_ADDITIONS, HISTORY_ROUTES } from "../../src/history/index.js";
import { openApiDescribes, openApiHasRoute } from "../github/openapi-routes.js";

describe("the GitHub source's routes", () => {
  it.each(Object.entries(HISTORY_ROUTES))(
    "%s: %s is described or a documented addition",
    (_n, route) => {
      expect(openApiHasRoute(route)).toBe(true);
      expect(openApiDescribes(route) || route in DOCUMENTED_ADDITIONS).toBe(true);
    },
  );

  it.each(Object.keys(DOCUMENTED_ADDITIONS))(
    "%s is not in @octokit/openapi yet (drop the addition once it is)",
    (route) => {
      expect(openApiDescribes(route)).toBe(false);
    },
  );
});
