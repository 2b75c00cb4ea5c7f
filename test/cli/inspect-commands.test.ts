import { execFile } from "node:child_process";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { insertEvents, syntheticEvents } from "../fakes/synthetic-events.js";
import { createTestDb, databaseUrlOf, resetDb } from "../helpers/db.js";
import { type CliResult, cli } from "./cli-harness.js";

const now = new Date("2025-06-01T12:00:00Z");
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
let db: Db;

beforeAll(async () => {
  db = await createTestDb();
});
beforeEach(async () => {
  await resetDb(db);
});
afterAll(async () => {
  await db?.close();
});

/** `src/cli/main.ts` in a process of its own, on the embedded database in memory by default. */
function entry(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      { encoding: "utf8", env: { PATH: process.env.PATH ?? "", DATA_DIR: "memory://", ...env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function seedRuns() {
  await db.query(
    `insert into workspaces (installation_id, account_login) values (42, 'octo'), (0, 'operator');
     insert into backfill_runs (installation_id, status, days, source, requested_by, created_at, finished_at)
     values (42, 'failed', 90, 'command', 'mona', '2025-06-01T10:00:00Z', '2025-06-01T10:05:00Z'),
            (0, 'processing', 30, 'cli', 'ops', '2025-06-01T11:00:00Z', null);
     insert into backfill_items (run_id, position, owner, name, status, events_found, error)
     values (1, 0, 'octo', 'a', 'completed', 1234, null),
            (1, 1, 'octo', 'gone', 'failed', null, 'Repository not found'),
            (2, 0, 'acme', 'w', 'completed', 5, null),
            (2, 1, 'acme', 'x', 'pending', null, null)`,
  );
}

describe("workspace-backfill status", () => {
  it("prints the latest runs, newest first, with their repositories", async () => {
    await seedRuns();
    const result = await cli(["status"], { db });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(
      [
        "Run #2 · workspace 0 (operator) · processing",
        "30 days · cli by ops · created 2025-06-01 11:00:00 UTC",
        "1/2 done: 1 completed, 0 failed, 0 cancelled",
        "  repository  status     events  error",
        "  ----------  ---------  ------  -----",
        "  acme/w      completed       5",
        "  acme/x      pending         -",
        "",
        "Run #1 · workspace 42 (octo) · failed",
        "90 days · command by mona · created 2025-06-01 10:00:00 UTC · finished 2025-06-01 10:05:00 UTC",
        "2/2 done: 1 completed, 1 failed, 0 cancelled",
        "  repository  status     events  error",
        "  ----------  ---------  ------  --------------------",
        "  octo/a      completed   1,234",
        "  octo/gone   failed          -  Repository not found",
        "",
      ].join("\n"),
    );
  });

  it("--workspace keeps to one workspace; unknown is exit 1; none yet says so", async () => {
    await seedRuns();
    const one = await cli(["status", "--workspace", "42", "--limit", "1"], { db });
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^Run #1 · workspace 42 \(octo\) · failed\n/);
    expect(one.stdout).not.toContain("Run #2");
    expect(await cli(["status", "--workspace", "9"], { db })).toEqual({
      code: 1,
      stdout: "",
      stderr: "error: Workspace 9 is not known\n",
    });
    await resetDb(db);
    expect(await cli(["status"], { db })).toEqual({
      code: 0,
      stdout: "No back-fill runs yet.\n",
      stderr: "",
    });
  });

  it.each([
    [
      ["status", "--workspace", "-3"],
      'error: --workspace must be an installation id (a whole number), not "-3"',
    ],
    [["status", "--limit", "0"], 'error: --limit must be a whole number from 1 to 1000, not "0"'],
    [
      ["status", "extra"],
      "error: too many arguments for 'status'. Expected 0 arguments but got 1.",
    ],
  ])("bad arguments %j: exit 2", async (argv, line) => {
    const result = await cli(argv, { db });
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n").slice(0, 2)).toEqual([
      line,
      "Usage: workspace-backfill status [options]",
    ]);
  });
});

describe("workspace-backfill metrics and coverage", () => {
  it("prints stars and forks per day with the change against the window before", async () => {
    const a = syntheticEvents({ repository: "octo/a", days: 90, seed: 2, now });
    await insertEvents(db, a.events);
    const result = await cli(["metrics", "octo/a", "octo/empty"], { db, now });
    expect(result.code).toBe(0);
    const stars = sum(a.starsByDay.slice(0, 30));
    const previous = sum(a.starsByDay.slice(30, 60));
    const forks = sum(a.forksByDay.slice(0, 30));
    const change = Math.round(((stars - previous) / previous) * 100);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe(
      "Last 30 days (2025-05-02 12:00 to 2025-06-01 12:00 UTC) against the 30 days before",
    );
    expect(lines[4]!.split(/\s+/)).toEqual([
      "octo/a",
      (stars / 30).toFixed(2),
      `+${change}%`,
      (forks / 30).toFixed(2),
      expect.stringMatching(/^([+-]\d+%|0%)$/),
      stars.toLocaleString("en-US"),
      forks.toLocaleString("en-US"),
      (stars + forks).toLocaleString("en-US"),
    ]);
    expect(lines[5]!.split(/\s+/)).toEqual([
      "octo/empty",
      "0.00",
      "n/a",
      "0.00",
      "n/a",
      "0",
      "0",
      "0",
    ]);
    // The workspace row: the empty repository adds nothing.
    expect(lines[6]!.split(/\s+/)).toEqual(["all", ...lines[4]!.split(/\s+/).slice(1)]);
    expect(change).toBeGreaterThanOrEqual(15);
    expect(change).toBeLessThanOrEqual(30);

    const json = await cli(["metrics", "octo/a", "--days", "30", "--json"], { db, now });
    const parsed = JSON.parse(json.stdout);
    expect(parsed.repositories[0].stars).toMatchObject({
      current: stars,
      previous,
      percentChange: change,
      trend: "up",
    });
    expect(parsed.timeline).toHaveLength(31);
  });

  it("coverage says which repositories need a back-fill and how", async () => {
    await insertEvents(
      db,
      syntheticEvents({ repository: "octo/a", days: 90, seed: 2, now }).events,
    );
    await insertEvents(
      db,
      syntheticEvents({ repository: "octo/new", days: 10, seed: 2, now }).events,
    );
    const result = await cli(["coverage", "octo/a", "octo/new"], {
      db,
      now,
      env: { BACKFILL_MAX_DAYS: "90" },
    });
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[2]!.split(/\s{2,}/)).toEqual([
      "octo/a",
      expect.stringMatching(/^2025-03-0[34]$/),
      "2025-06-01",
      "61/61",
      "0d",
      "yes",
      "no",
    ]);
    expect(lines[3]!.split(/\s{2,}/)).toEqual([
      "octo/new",
      expect.stringMatching(/^2025-05-2[12]$/),
      "2025-06-01",
      expect.stringMatching(/^1[01]\/61$/),
      expect.stringMatching(/^5[01]d$/),
      "no",
      "yes",
    ]);
    expect(lines.slice(5)).toEqual([
      "Needs a back-fill (no data in the previous 30 days, or a gap over 7 days): octo/new",
      "  workspace-backfill backfill octo/new --days 90",
      "",
    ]);
  });

  it.each([
    [
      ["metrics"],
      "error: missing required argument 'owner/repo'",
      "metrics [options] <owner/repo...>",
    ],
    [
      ["metrics", "octo/a", "--days", "366"],
      'error: --days must be a whole number from 1 to 365, not "366"',
      "metrics [options] <owner/repo...>",
    ],
    [
      ["metrics", "a/b/c"],
      'error: "a/b/c" is not a repository: expected owner/name',
      "metrics [options] <owner/repo...>",
    ],
    [
      ["coverage"],
      "error: missing required argument 'owner/repo'",
      "coverage [options] <owner/repo...>",
    ],
    [
      ["coverage", "nope"],
      'error: "nope" is not a repository: expected owner/name',
      "coverage [options] <owner/repo...>",
    ],
  ])("bad arguments %j: exit 2", async (argv, line, usage) => {
    const result = await cli(argv, { db, now });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n").slice(0, 2)).toEqual([
      line,
      `Usage: workspace-backfill ${usage}`,
    ]);
  });
});

describe("workspace-backfill migrate and the entry", () => {
  it("migrate on an up-to-date database says so", async () => {
    expect(await cli(["migrate"], { db })).toEqual({
      code: 0,
      stdout: "database is up to date\n",
      stderr: "",
    });
  });

  it("the real entry: help exit 0, unknown command exit 2, status on DATABASE_URL, bad config exit 1", async () => {
    const url = databaseUrlOf(db);
    // Four processes at once: each pays Node and tsx start-up, in parallel.
    const [help, bogus, status, badConfig] = await Promise.all([
      entry(["--help"]),
      entry(["frobnicate"]),
      entry(["status"], url ? { DATABASE_URL: url } : {}),
      entry(["status"], { BACKFILL_DELAY_MS: "soon" }),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("operator's own workspace, installation id 0");
    expect(bogus).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "error: unknown command 'frobnicate'\nUsage: workspace-backfill [options] [command]\nRun 'workspace-backfill --help' for more.\n",
    });
    expect(status).toEqual({ code: 0, stdout: "No back-fill runs yet.\n", stderr: "" });
    expect(badConfig).toEqual({
      code: 1,
      stdout: "",
      stderr: "error: Invalid BACKFILL_DELAY_MS: expected a whole number, at least 0\n",
    });
  }, 90_000);
});
