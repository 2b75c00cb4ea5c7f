import { describe, expect, it } from "vitest";
import { nextDue, parseWorkspaceSettings, scheduledDays } from "../../src/schedules/index.js";

const parse = (raw: unknown) => parseWorkspaceSettings(raw, 90);

describe("the settings file's keys (contract §7)", () => {
  it("no file, or an empty one, is every default", () => {
    expect(parse(null)).toEqual({ ok: true, settings: {} });
    expect(parse({})).toEqual({ ok: true, settings: {} });
  });

  it("takes every key of the contract's example", () => {
    const example = {
      schedule: "0 6 * * 1",
      timezone: "Europe/Berlin",
      days: 30,
      only_gaps: true,
      exclude: ["octo/archive"],
    };
    expect(parse(example)).toEqual({ ok: true, settings: example });
    expect(parse({ days: "all" })).toEqual({ ok: true, settings: { days: "all" } });
  });

  it.each([
    [{ schedule: "0 6 * *" }, "schedule", "expected a cron expression of 5 fields"],
    [{ schedule: "0 6 * * 1 2026" }, "schedule", "expected a cron expression of 5 fields"],
    [{ schedule: "61 * * * *" }, "schedule", "expected a cron expression of 5 fields"],
    [{ schedule: "@weekly" }, "schedule", "expected a cron expression of 5 fields"],
    [{ schedule: 6 }, "schedule", "expected a cron expression in quotes"],
    [{ timezone: "Mars/Base" }, "timezone", "expected an IANA time zone name"],
    [{ days: 0 }, "days", "expected a whole number from 1 to 90, or all"],
    [{ days: 91 }, "days", "expected a whole number from 1 to 90, or all"],
    [{ days: 1.5 }, "days", "expected a whole number from 1 to 90, or all"],
    [{ days: "ninety" }, "days", "expected a whole number from 1 to 90, or all"],
    [{ only_gaps: "yes" }, "only_gaps", "expected true or false"],
    [{ exclude: "octo/a" }, "exclude", "expected a list of repositories"],
    [{ exclude: ["octo/a", "nope"] }, "exclude[1]", "expected owner/name"],
    [
      { shedule: "0 6 * * 1" },
      "shedule",
      "unknown key; the keys are schedule, timezone, days, only_gaps, exclude",
    ],
    [["a", "b"], "file", "expected a YAML mapping of keys"],
  ])("%j is refused, naming %s", (raw, key, message) => {
    expect(parse(raw)).toEqual({
      ok: false,
      problems: [{ key, message: expect.stringContaining(message) }],
    });
  });

  it("days of a scheduled run: the default, a number, or all as the whole history", () => {
    const config = { BACKFILL_DEFAULT_DAYS: 60, BACKFILL_MAX_DAYS: 90 };
    expect(scheduledDays({}, config)).toEqual({ days: 60, fullHistory: false });
    expect(scheduledDays({ days: 7 }, config)).toEqual({ days: 7, fullHistory: false });
    expect(scheduledDays({ days: "all" }, config)).toEqual({ days: 90, fullHistory: true });
  });

  it("due times follow the time zone across daylight saving time", () => {
    // 06:00 in Berlin is 05:00 UTC in winter and 04:00 UTC in summer (clocks change 2027-03-28).
    expect(nextDue("0 6 * * 1", "Europe/Berlin", new Date("2027-03-23T00:00:00Z"))).toEqual(
      new Date("2027-03-29T04:00:00Z"),
    );
    expect(nextDue("0 6 * * 1", undefined, new Date("2027-03-23T00:00:00Z"))).toEqual(
      new Date("2027-03-29T06:00:00Z"),
    );
  });
});
