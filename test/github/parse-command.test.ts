import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isBackfillCommand, parseCommand } from "../../src/github/parse-command.js";

const options = { maxDays: 90, defaultDays: 90 };

describe("parseCommand: grammar rows", () => {
  it.each([
    ["/backfill", { kind: "backfill", days: 90, repositories: null }],
    ["  /BACKFILL   ", { kind: "backfill", days: 90, repositories: null }],
    ["/backfill 30", { kind: "backfill", days: 30, repositories: null }],
    ["/backfill 1", { kind: "backfill", days: 1, repositories: null }],
    ["/backfill 90", { kind: "backfill", days: 90, repositories: null }],
    ["/backfill 030", { kind: "backfill", days: 30, repositories: null }],
    [
      "/backfill 30 octo/a octo/b",
      {
        kind: "backfill",
        days: 30,
        repositories: [
          { owner: "octo", name: "a" },
          { owner: "octo", name: "b" },
        ],
      },
    ],
    [
      "/Backfill   7   Octo-Org/My.Repo_1  octo-org/my.repo_1\nmore text",
      { kind: "backfill", days: 7, repositories: [{ owner: "Octo-Org", name: "My.Repo_1" }] },
    ],
    ["/backfill all", { kind: "backfill", days: 90, fullHistory: true, repositories: null }],
    [
      "/BACKFILL  ALL  octo/a",
      {
        kind: "backfill",
        days: 90,
        fullHistory: true,
        repositories: [{ owner: "octo", name: "a" }],
      },
    ],
    ["/backfill retry", { kind: "retry" }],
    ["/backfill RETRY", { kind: "retry" }],
    ["/backfill status", { kind: "status" }],
    ["/backfill cancel", { kind: "cancel" }],
    ["/backfill help\nthanks!", { kind: "help" }],
  ])("%j", (body, command) => {
    expect(parseCommand(body, options)).toEqual({ ok: true, command });
  });

  it("uses the configured default days", () => {
    expect(parseCommand("/backfill", { maxDays: 60, defaultDays: 14 })).toEqual({
      ok: true,
      command: { kind: "backfill", days: 14, repositories: null },
    });
  });
});

describe("parseCommand: errors say what was wrong and what would be right", () => {
  it.each([
    [
      "/backfill 0",
      "`0` days is out of range: days must be a whole number from 1 to 90, e.g. `/backfill 30`.",
    ],
    [
      "/backfill 91",
      "`91` days is out of range: days must be a whole number from 1 to 90, e.g. `/backfill 30`.",
    ],
    [
      "/backfill -5",
      "`-5` days is out of range: days must be a whole number from 1 to 90, e.g. `/backfill 30`.",
    ],
    [
      "/backfill 99999999999999999999999",
      "`99999999999999999999999` days is out of range: days must be a whole number from 1 to 90, e.g. `/backfill 30`.",
    ],
    [
      "/backfill 3.5",
      "`3.5` is not a number of days: use a whole number from 1 to 90, e.g. `/backfill 30`.",
    ],
    [
      "/backfill 30d",
      "`30d` is not a number of days: use a whole number from 1 to 90, e.g. `/backfill 30`.",
    ],
    [
      "/backfill please",
      "`please` is not something `/backfill` knows: use a number of days (1 to 90), `all`, `retry`, `status`, `cancel` or `help`.",
    ],
    [
      "/backfill octo/a",
      "Give the number of days before the repositories, e.g. `/backfill 90 octo/a`.",
    ],
    [
      "/backfill 30 octo/a not-a-repo",
      "`not-a-repo` is not a repository: name each one as `owner/name`, e.g. `/backfill 30 octo/a octo/b`.",
    ],
    [
      "/backfill 30 octo/a/b",
      "`octo/a/b` is not a repository: name each one as `owner/name`, e.g. `/backfill 30 octo/a octo/b`.",
    ],
    [
      "/backfill status now",
      "`/backfill status` takes nothing after it, but got `now`: comment just `/backfill status`.",
    ],
    [
      "/backfill help me",
      "`/backfill help` takes nothing after it, but got `me`: comment just `/backfill help`.",
    ],
    [
      "/backfill retry 3",
      "`/backfill retry` takes nothing after it, but got `3`: comment just `/backfill retry`.",
    ],
    [
      "/backfill cancel x",
      "`/backfill cancel` takes nothing after it, but got `x`: comment just `/backfill cancel`.",
    ],
    [
      "/backfill30",
      "`/backfill30` is not a command: put a space after `/backfill`, e.g. `/backfill 30`.",
    ],
    ["hello", "A command starts with `/backfill`, e.g. `/backfill 30`."],
    [
      "/backfill `x`",
      "`'x'` is not something `/backfill` knows: use a number of days (1 to 90), `all`, `retry`, `status`, `cancel` or `help`.",
    ],
  ])("%j", (body, error) => {
    expect(parseCommand(body, options)).toEqual({ ok: false, error });
  });

  it("names the configured maximum", () => {
    expect(parseCommand("/backfill 31", { maxDays: 30, defaultDays: 7 })).toEqual({
      ok: false,
      error:
        "`31` days is out of range: days must be a whole number from 1 to 30, e.g. `/backfill 30`.",
    });
  });
});

describe("parseCommand: property", () => {
  it("never throws and always gives a command or a non-empty error", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `/backfill ${s}`),
          fc.string({ unit: "grapheme" }),
          fc.string({ unit: "binary" }),
        ),
        (body) => {
          const result = parseCommand(body, options);
          if (result.ok) {
            expect(isBackfillCommand(body)).toBe(true);
            if (result.command.kind === "backfill") {
              expect(result.command.days).toBeGreaterThanOrEqual(1);
              expect(result.command.days).toBeLessThanOrEqual(90);
            }
          } else {
            expect(result.error.length).toBeGreaterThan(0);
            expect(result.error).not.toContain("\n");
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("reads every valid days value and repository list back", () => {
    const owner = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,10}$/);
    const name = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/).filter((n) => n !== "." && n !== "..");
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 90 }),
        fc.uniqueArray(fc.tuple(owner, name), {
          selector: ([o, n]) => `${o}/${n}`.toLowerCase(),
          maxLength: 5,
        }),
        fc.stringMatching(/^[ \t]{1,3}$/),
        (days, repos, space) => {
          const body = ["/backfill", String(days), ...repos.map(([o, n]) => `${o}/${n}`)].join(
            space,
          );
          expect(parseCommand(body, options)).toEqual({
            ok: true,
            command: {
              kind: "backfill",
              days,
              repositories:
                repos.length === 0 ? null : repos.map(([o, n]) => ({ owner: o, name: n })),
            },
          });
        },
      ),
    );
  });
});
