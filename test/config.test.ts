import { describe, expect, it } from "vitest";
import { backfillSources, readConfig } from "../src/config.js";

describe("readConfig", () => {
  it("applies the contract's defaults", () => {
    expect(readConfig({})).toEqual({
      DATABASE_URL: undefined,
      DATA_DIR: "./.data",
      GH_DATPIPE_API_URL: "https://gh-datapipe.fly.dev",
      GH_DATPIPE_KEY: undefined,
      BACKFILL_DEFAULT_DAYS: 90,
      BACKFILL_MAX_DAYS: 90,
      BACKFILL_DELAY_MS: 1000,
      BACKFILL_CONCURRENCY: 1,
      BACKFILL_POLL_INTERVAL_MS: 5000,
      BACKFILL_JOB_TIMEOUT_MS: 1_800_000,
      BACKFILL_PROGRESS_EVERY: 3,
      AUTO_BACKFILL_ON_INSTALL: true,
      METRICS_API_TOKEN: undefined,
      BACKFILL_SOURCE: "auto",
      GITHUB_REFRESH_DEBOUNCE_MS: 60_000,
      NOTIFY_SLACK_WEBHOOK_URL: undefined,
      NOTIFY_DISCORD_WEBHOOK_URL: undefined,
      PUBLIC_URL: undefined,
    });
  });

  it.each([
    [{}, { github: true, datapipe: false }],
    [{ GH_DATPIPE_KEY: "k" }, { github: true, datapipe: true }],
    [
      { BACKFILL_SOURCE: "github", GH_DATPIPE_KEY: "k" },
      { github: true, datapipe: false },
    ],
    [{ BACKFILL_SOURCE: "datapipe" }, { github: false, datapipe: true }],
    [{ BACKFILL_SOURCE: "both" }, { github: true, datapipe: true }],
  ])("BACKFILL_SOURCE %o reads from %o", (env, sources) => {
    expect(backfillSources(readConfig(env))).toEqual(sources);
  });

  it("trims a trailing slash from PUBLIC_URL", () => {
    expect(readConfig({ PUBLIC_URL: "https://bot.example.org/" }).PUBLIC_URL).toBe(
      "https://bot.example.org",
    );
  });

  it("parses values and accepts the DATAPIPE spelling as an alias", () => {
    const config = readConfig({
      DATABASE_URL: "postgres://u@h:5432/db",
      GH_DATAPIPE_API_URL: "http://127.0.0.1:9/",
      GH_DATAPIPE_KEY: "k",
      BACKFILL_DELAY_MS: "0",
      AUTO_BACKFILL_ON_INSTALL: "false",
      BACKFILL_MAX_DAYS: "365",
      BACKFILL_DEFAULT_DAYS: "30",
    });
    expect(config).toMatchObject({
      DATABASE_URL: "postgres://u@h:5432/db",
      GH_DATPIPE_API_URL: "http://127.0.0.1:9",
      GH_DATPIPE_KEY: "k",
      BACKFILL_DELAY_MS: 0,
      AUTO_BACKFILL_ON_INSTALL: false,
      BACKFILL_MAX_DAYS: 365,
      BACKFILL_DEFAULT_DAYS: 30,
    });
    expect(readConfig({ GH_DATPIPE_KEY: "main", GH_DATAPIPE_KEY: "alias" }).GH_DATPIPE_KEY).toBe(
      "main",
    );
  });

  it.each([
    [{ BACKFILL_SOURCE: "gh" }, "Invalid BACKFILL_SOURCE: expected auto, github, datapipe or both"],
    [
      { GITHUB_REFRESH_DEBOUNCE_MS: "soon" },
      "Invalid GITHUB_REFRESH_DEBOUNCE_MS: expected a whole number, at least 0",
    ],
    [
      { NOTIFY_SLACK_WEBHOOK_URL: "hooks.slack.com/x" },
      "Invalid NOTIFY_SLACK_WEBHOOK_URL: expected an http(s) URL",
    ],
    [
      { NOTIFY_DISCORD_WEBHOOK_URL: "discord" },
      "Invalid NOTIFY_DISCORD_WEBHOOK_URL: expected an http(s) URL",
    ],
    [{ PUBLIC_URL: "bot.example.org" }, "Invalid PUBLIC_URL: expected an http(s) URL"],
    [
      { BACKFILL_DELAY_MS: "abc" },
      "Invalid BACKFILL_DELAY_MS: expected a whole number, at least 0",
    ],
    [{ BACKFILL_DELAY_MS: "-5" }, "Invalid BACKFILL_DELAY_MS: expected a whole number, at least 0"],
    [
      { BACKFILL_CONCURRENCY: "0" },
      "Invalid BACKFILL_CONCURRENCY: expected a whole number from 1 to 100",
    ],
    [
      { BACKFILL_MAX_DAYS: "400" },
      "Invalid BACKFILL_MAX_DAYS: expected a whole number from 1 to 365",
    ],
    [
      { BACKFILL_DEFAULT_DAYS: "120" },
      "Invalid BACKFILL_DEFAULT_DAYS: expected at most BACKFILL_MAX_DAYS",
    ],
    [
      { AUTO_BACKFILL_ON_INSTALL: "maybe" },
      "Invalid AUTO_BACKFILL_ON_INSTALL: expected true or false",
    ],
    [
      { DATABASE_URL: "mysql://x" },
      "Invalid DATABASE_URL: expected a postgres:// or postgresql:// URL, or unset for the embedded database",
    ],
    [{ GH_DATPIPE_API_URL: "ftp://x" }, "Invalid GH_DATPIPE_API_URL: expected an http(s) URL"],
  ])("stops on %o with one line naming the variable", (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });

  it("never echoes a value in its error", () => {
    let message = "";
    try {
      readConfig({ BACKFILL_POLL_INTERVAL_MS: "s3cr3t-value" });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe("Invalid BACKFILL_POLL_INTERVAL_MS: expected a whole number, at least 1");
  });
});
