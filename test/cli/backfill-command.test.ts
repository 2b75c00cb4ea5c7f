import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { type FakeDatapipe, startFakeDatapipe } from "../fakes/fake-datapipe.js";
import { syntheticEvents, syntheticRowWriter } from "../fakes/synthetic-events.js";
import { createTestDb, resetDb } from "../helpers/db.js";
import { cli } from "./cli-harness.js";

const now = new Date();
let db: Db;
let datapipe: FakeDatapipe;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDb();
  const write = syntheticRowWriter(db, { seed: 4, now: () => now });
  datapipe = await startFakeDatapipe({
    apiKey: "cli-key",
    defaultRows: 1,
    writeRows: async (job) => {
      await write(job);
    },
  });
  env = {
    GH_DATPIPE_API_URL: datapipe.url,
    GH_DATPIPE_KEY: "cli-key",
    BACKFILL_DELAY_MS: "0",
    BACKFILL_POLL_INTERVAL_MS: "10",
  };
});
beforeEach(async () => {
  await resetDb(db);
  datapipe.reset();
});
afterAll(async () => {
  await datapipe?.close();
  await db?.close();
});

const expectedRows = (repository: string, days: number) =>
  syntheticEvents({ repository, days, seed: 4, now }).events.length;

async function runs() {
  const { rows } = await db.query<{
    installation_id: number;
    status: string;
    source: string;
    days: number;
    requested_by: string;
  }>("select installation_id, status, source, days, requested_by from backfill_runs order by id");
  return rows;
}

describe("workspace-backfill backfill", () => {
  it("back-fills through gh-datapipe in the operator's workspace, exit 0 when all completed", async () => {
    const result = await cli(["backfill", "octo/a", "octo/b", "--days", "60"], { db, env });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const a = expectedRows("octo/a", 60);
    const b = expectedRows("octo/b", 60);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe("Run #1 in workspace 0: 2 repositories, 60 days");
    expect(lines).toContain(`[1/2] octo/a completed: ${a.toLocaleString("en-US")} events`);
    expect(lines).toContain(`[2/2] octo/b completed: ${b.toLocaleString("en-US")} events`);
    expect(result.stdout).toMatch(/^octo\/a\s+completed\s+[\d,]+\s*$/m);
    expect(lines.at(-2)).toBe("Run #1 completed: 2 completed, 0 failed, 0 cancelled");
    expect(datapipe.triggers().map((c) => [c.repository, c.days, c.apiKey])).toEqual([
      ["octo/a", 60, "cli-key"],
      ["octo/b", 60, "cli-key"],
    ]);
    expect(await runs()).toEqual([
      { installation_id: 0, status: "completed", source: "cli", days: 60, requested_by: "ops" },
    ]);
    const { rows } = await db.query<{ account_login: string }>(
      "select account_login from workspaces where installation_id = 0",
    );
    expect(rows).toEqual([{ account_login: "operator" }]);
  });

  it("exit 1 when a repository failed; the others continue", async () => {
    datapipe.script("octo/bad", { outcome: "failed", error: "upstream exploded" });
    const result = await cli(["backfill", "octo/bad", "octo/a", "--days", "30"], { db, env });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      "[1/2] octo/bad failed: Backfill job failed: upstream exploded",
    );
    expect(result.stdout).toMatch(
      /^octo\/bad\s+failed\s+-\s+Backfill job failed: upstream exploded$/m,
    );
    expect(result.stdout).toContain("Run #1 failed: 1 completed, 1 failed, 0 cancelled");
  });

  it("without GH_DATPIPE_KEY every repository fails with the contract's text, no call made", async () => {
    const { GH_DATPIPE_KEY: _key, ...noKey } = env;
    const result = await cli(["backfill", "octo/a"], { db, env: noKey });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      "[1/1] octo/a failed: Service unavailable: GH_DATPIPE_KEY is not configured",
    );
    expect(datapipe.calls).toEqual([]);
  });

  it("uses the installation that holds every repository, with its spelling", async () => {
    await db.query(
      `insert into workspaces (installation_id, account_login) values (42, 'Octo');
       insert into workspace_repositories (installation_id, repository_id, owner, name)
       values (42, 1, 'Octo', 'A'), (42, 2, 'Octo', 'B')`,
    );
    const result = await cli(["backfill", "octo/a", "octo/b", "--days", "7"], { db, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Run #1 in workspace 42: 2 repositories, 7 days");
    expect(datapipe.triggers().map((c) => c.repository)).toEqual(["Octo/A", "Octo/B"]);
    const { rows } = await db.query<{ repository_id: number }>(
      "select repository_id from backfill_items order by position",
    );
    expect(rows).toEqual([{ repository_id: 1 }, { repository_id: 2 }]);
    // One repository outside it: the operator's workspace takes the run.
    const other = await cli(["backfill", "octo/a", "octo/zzz", "--days", "7"], { db, env });
    expect(other.stdout).toContain("Run #2 in workspace 0: 2 repositories, 7 days");
  });

  it("shows a progress bar on a terminal", async () => {
    const result = await cli(["backfill", "octo/a"], { db, env, tty: true });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("repositories |");
    expect(result.stdout).toContain("[1/1] octo/a completed");
  });

  it("refuses a second run while the workspace has one active", async () => {
    await db.query(
      `insert into workspaces (installation_id, account_login) values (0, 'operator');
       insert into backfill_runs (installation_id, status, days, source) values (0, 'processing', 30, 'cli')`,
    );
    const result = await cli(["backfill", "octo/a"], { db, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Workspace 0 already has run #1 in progress/);
    expect(datapipe.triggers()).toEqual([]);
  });

  it.each([
    [["backfill"], "error: missing required argument 'owner/repo'"],
    [["backfill", "octo"], 'error: "octo" is not a repository: expected owner/name'],
    [
      ["backfill", "octo/a", "--days", "91"],
      'error: --days must be a whole number from 1 to 90, not "91"',
    ],
    [
      ["backfill", "octo/a", "--days", "0"],
      'error: --days must be a whole number from 1 to 90, not "0"',
    ],
    [
      ["backfill", "octo/a", "--workspace", "x"],
      'error: --workspace must be an installation id (a whole number), not "x"',
    ],
    [["backfill", "octo/a", "--fast"], "error: unknown option '--fast'"],
  ])("bad arguments %j: one line, the usage, exit 2, nothing started", async (argv, line) => {
    const result = await cli(argv, { db, env });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")).toEqual([
      line,
      "Usage: workspace-backfill backfill [options] <owner/repo...>",
      "Run 'workspace-backfill backfill --help' for more.",
      "",
    ]);
    expect(await runs()).toEqual([]);
    expect(datapipe.calls).toEqual([]);
  });

  it("an unknown --workspace is a failure, not a usage error", async () => {
    const result = await cli(["backfill", "octo/a", "--workspace", "77"], { db, env });
    expect(result).toEqual({ code: 1, stdout: "", stderr: "error: Workspace 77 is not known\n" });
  });
});
