import { describe, expect, it } from "vitest";
import type { ItemSnapshot, RunSnapshot } from "../../src/backfill/types.js";
import { foundText, runHeadline } from "../../src/github/render-run.js";

const item = (over: Partial<ItemSnapshot>): ItemSnapshot => ({
  id: 1,
  position: 1,
  owner: "octo",
  name: "a",
  fullName: "octo/a",
  repositoryId: 1,
  status: "completed",
  jobId: null,
  progress: null,
  eventsFound: null,
  error: null,
  startedAt: null,
  finishedAt: null,
  ...over,
});

const github = (stars: number, forks: number) => ({
  status: "completed" as const,
  stars,
  forks,
  error: null,
});

describe("what arrived from where (contract §3)", () => {
  it.each([
    [{ eventsFound: 1032 }, "1032 events"],
    [{ github: github(40213, 1204) }, "40213 stars, 1204 forks"],
    [{ eventsFound: 7, github: github(30, 2) }, "7 events; 30 stars, 2 forks"],
    [{ github: { status: "failed" as const, stars: null, forks: null, error: "x" } }, ""],
    [{}, ""],
  ])("%j → %j", (over, text) => {
    expect(foundText(item(over))).toBe(text);
  });

  it("a run of `all` reads the whole history where GitHub is a source, its days elsewhere", () => {
    const run = {
      id: 4,
      days: 90,
      fullHistory: true,
      sources: ["github"],
      source: "command",
      requestedBy: "mona",
      status: "completed",
    } as RunSnapshot;
    expect(runHeadline(run)).toBe(
      "Back-fill run #4 of the whole history (command requested by mona): completed",
    );
    expect(runHeadline({ ...run, sources: ["datapipe"] })).toBe(
      "Back-fill run #4 of 90 days (command requested by mona): completed",
    );
  });
});
