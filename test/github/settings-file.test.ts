import type { Probot } from "probot";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { readConfig } from "../../src/config.js";
import type { Db } from "../../src/db/index.js";
import type { Surfaces } from "../../src/github/register-surfaces.js";
import { loadScheduleView, loadSettings } from "../../src/schedules/index.js";
import { ConfigFilesGitHub } from "../fakes/config-files-github.js";
import { createTestDb, resetDb } from "../helpers/db.js";
import { createTestProbot, examplePayload } from "../helpers/probot.js";
import { createTestEngine, type TestEngine } from "./test-engine.js";
import { routeGitHubToFake } from "./github-nock.js";
import { openApiTemplate } from "./openapi-routes.js";
import { HELLO, INSTALLATION, OTHER } from "./tracked-workspace.js";

// biome-ignore lint/suspicious/noExplicitAny: tests patch arbitrary fields of GitHub's example payloads
type Payload = Record<string, any>;

/** Contract §7 through `probot.receive`, the file served by the fake GitHub. */
const FILE = ".github/workspace-backfill.yml";
const CONTENTS = (owner: string, repo: string) =>
  `GET /repos/${owner}/${repo}/contents/.github%2Fworkspace-backfill.yml`;

let db: Db;
let fake: ConfigFilesGitHub;
let engine: TestEngine;
let probot: Probot;
let surfaces: Surfaces;
let clock = new Date("2026-12-01T09:00:00Z");
let delivery = 0;
let seen = 0;
const allCalls: { method: string; path: string }[] = [];

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  // Every call made here is a route of GitHub's REST description.
  expect(allCalls.filter((c) => openApiTemplate(c.method, c.path) === null)).toEqual([]);
  await engine?.stop();
  await db?.close();
});

async function setup(env: Record<string, string> = {}) {
  await engine?.stop();
  await resetDb(db);
  await db.query(
    `insert into workspaces (installation_id, account_login, tracking_repository_id, tracking_issue_number)
     values ($1::bigint, 'Codertocat', $2::bigint, 1)`,
    [INSTALLATION, HELLO.id],
  );
  await db.query(
    `insert into workspace_repositories (installation_id, repository_id, owner, name)
     values ($1::bigint, $2::bigint, $3::text, $4::text), ($1::bigint, $5::bigint, $6::text, $7::text)`,
    [INSTALLATION, HELLO.id, HELLO.owner, HELLO.name, OTHER.id, OTHER.owner, OTHER.name],
  );
  fake = new ConfigFilesGitHub();
  fake.addRepo(HELLO).addRepo(OTHER).addRepo({ id: 3003, owner: "Codertocat", name: ".github" });
  fake.addIssue(HELLO.owner, HELLO.name, {
    number: 1,
    title: "Workspace backfill",
    labels: ["workspace-backfill"],
  });
  routeGitHubToFake(fake);
  engine = createTestEngine(db);
  clock = new Date("2026-12-01T09:00:00Z");
  probot = await createTestProbot(
    createApp({
      db,
      config: readConfig(env),
      engine,
      now: () => clock,
      onSurfaces: (s) => {
        surfaces = s;
      },
    }),
  );
  seen = 0;
}

beforeEach(async () => {
  await setup();
});

async function send(name: string, payload: unknown) {
  await probot.receive({ id: `d-${++delivery}`, name, payload } as Parameters<
    Probot["receive"]
  >[0]);
  await surfaces.idle();
}

function newCalls(): string[] {
  const calls = fake.requests.slice(seen);
  seen = fake.requests.length;
  allCalls.push(...calls);
  return calls.map((c) => `${c.method} ${c.path}`).filter((c) => !c.endsWith("/access_tokens"));
}

/** A real push payload: `changed` modified on `repo`'s branch `branch`. */
function push(repo: string, changed: string[], branch = "main"): Payload {
  const p = examplePayload<Payload>("push");
  p.ref = `refs/heads/${branch}`;
  p.installation = { id: INSTALLATION, node_id: "x" };
  p.repository.name = repo;
  p.repository.full_name = `Codertocat/${repo}`;
  p.repository.default_branch = "main";
  p.repository.owner.login = "Codertocat";
  p.commits = [{ ...(p.commits?.[0] ?? {}), added: [], removed: [], modified: changed }];
  return p;
}

const comments = () => fake.commentsOn(HELLO.owner, HELLO.name, 1).map((c) => c.body);

describe("the settings file", () => {
  it("in the tracking repository: read on a push that changes it, kept, the schedule set", async () => {
    fake.setFile(
      "Codertocat",
      "Hello-World",
      FILE,
      [
        'schedule: "0 6 * * 1"',
        "timezone: Europe/Berlin",
        "days: 30",
        "only_gaps: true",
        "exclude: [Codertocat/other]",
      ].join("\n"),
    );
    await send("push", push("Hello-World", [FILE]));
    // Read, then the dashboard rewritten with the schedule and its next run.
    expect(newCalls()).toEqual([
      CONTENTS("Codertocat", "Hello-World"),
      "GET /repos/Codertocat/Hello-World/issues/1",
      "PATCH /repos/Codertocat/Hello-World/issues/1",
    ]);
    expect(fake.issue(HELLO.owner, HELLO.name, 1)!.body).toContain(
      "**Schedule:** `0 6 * * 1` (Europe/Berlin): 30 days of the repositories whose coverage has gaps, except Codertocat/other. Next run: 2026-12-07 06:00 Europe/Berlin.",
    );
    expect((await loadSettings(db, INSTALLATION)).settings).toEqual({
      schedule: "0 6 * * 1",
      timezone: "Europe/Berlin",
      days: 30,
      only_gaps: true,
      exclude: ["Codertocat/other"],
    });
    expect((await loadScheduleView(db, INSTALLATION))?.nextDueAt).toEqual(
      new Date("2026-12-07T05:00:00Z"),
    );
  });

  it("is not read for a push that leaves it alone, or to another branch", async () => {
    await send("push", push("Hello-World", ["README.md"]));
    await send("push", push("Hello-World", [FILE], "feature"));
    await send("push", push("other", [FILE]));
    expect(newCalls()).toEqual([]);
  });

  it("falls back to the organisation's .github repository, and a push there reads it again", async () => {
    fake.setFile("Codertocat", ".github", FILE, "days: 14\n");
    await send("push", push(".github", [FILE]));
    expect(newCalls().slice(0, 2)).toEqual([
      CONTENTS("Codertocat", "Hello-World"),
      CONTENTS("Codertocat", ".github"),
    ]);
    expect((await loadSettings(db, INSTALLATION)).settings).toEqual({ days: 14 });
  });

  it("follows _extends: the later file's keys win, lists are joined", async () => {
    fake.setFile(
      "Codertocat",
      "Hello-World",
      FILE,
      "_extends: shared-settings\ndays: 7\nexclude: [Codertocat/other]\n",
    );
    fake.setFile(
      "Codertocat",
      "shared-settings",
      FILE,
      'schedule: "0 3 * * *"\ndays: 60\nexclude: [Codertocat/old]\n',
    );
    await send("push", push("Hello-World", [FILE]));
    expect(newCalls().slice(0, 2)).toEqual([
      CONTENTS("Codertocat", "Hello-World"),
      CONTENTS("Codertocat", "shared-settings"),
    ]);
    const stored = await loadSettings(db, INSTALLATION);
    expect(stored.settings).toEqual({
      schedule: "0 3 * * *",
      days: 7,
      exclude: ["Codertocat/old", "Codertocat/other"],
    });
    expect(stored.sources.map((s) => `${s.owner}/${s.repo}`)).toEqual([
      "Codertocat/Hello-World",
      "Codertocat/shared-settings",
    ]);
  });

  it("a bad key is answered once per version on the tracking issue, naming it; the last good settings stay", async () => {
    fake.setFile("Codertocat", "Hello-World", FILE, "days: 30\n");
    await send("push", push("Hello-World", [FILE]));
    fake.setFile("Codertocat", "Hello-World", FILE, "only_gap: true\ndays: 500\n");
    await send("push", push("Hello-World", [FILE]));
    await send("push", push("Hello-World", [FILE]));
    expect(comments()).toEqual([
      [
        "**`.github/workspace-backfill.yml` was not applied** (read for Codertocat/Hello-World): the settings in force stay the last good ones.",
        "",
        "- `days`: expected a whole number from 1 to 90, or all",
        "- `only_gap`: unknown key; the keys are schedule, timezone, days, only_gaps, exclude",
        "",
        "Every key is optional: `schedule` (cron, 5 fields), `timezone` (IANA name), `days` (a number or `all`), `only_gaps` (true or false), `exclude` (a list of `owner/name`).",
      ].join("\n"),
    ]);
    expect((await loadSettings(db, INSTALLATION)).settings).toEqual({ days: 30 });
    // A new version of the file is a new answer; YAML that does not parse names the file.
    fake.setFile("Codertocat", "Hello-World", FILE, "schedule: [unclosed\n");
    await send("push", push("Hello-World", [FILE]));
    fake.setFile("Codertocat", "Hello-World", FILE, 'schedule: "0 6 * *"\ntimezone: Mars/Base\n');
    await send("push", push("Hello-World", [FILE]));
    const [, yaml, cron] = comments();
    expect(yaml).toContain("- `file`: could not be read: Configuration could not be parsed from");
    expect(yaml).toContain("(invalid YAML)");
    expect(cron).toContain(
      '- `schedule`: expected a cron expression of 5 fields (minute hour day-of-month month day-of-week), e.g. "0 6 * * 1"',
    );
    expect(cron).toContain("- `timezone`: expected an IANA time zone name, e.g. Europe/Berlin");
    expect(comments()).toHaveLength(3);
    expect((await loadSettings(db, INSTALLATION)).settings).toEqual({ days: 30 });
  });

  it("is read on install, and exclude holds for the first back-fill", async () => {
    fake.addRepo({ id: 11, owner: "octo-org", name: "site" });
    fake.addRepo({ id: 12, owner: "octo-org", name: ".github" });
    fake.setFile("octo-org", ".github", FILE, "exclude: [octo-org/SITE]\n");
    const p = examplePayload<Payload>("installation", "created");
    p.installation.id = 77;
    p.installation.account.login = "octo-org";
    p.repositories = [
      { id: 11, name: "site", full_name: "octo-org/site", private: false },
      { id: 12, name: ".github", full_name: "octo-org/.github", private: false },
      { id: 13, name: "api", full_name: "octo-org/api", private: false },
    ];
    await send("installation", p);
    expect(newCalls()[0]).toBe(CONTENTS("octo-org", ".github"));
    expect(engine.requests).toMatchObject([
      {
        installationId: 77,
        source: "installation",
        repositories: [
          { owner: "octo-org", name: ".github" },
          { owner: "octo-org", name: "api" },
        ],
      },
    ]);
  });

  it("a scheduled run reads the file again first, and its progress comment says (schedule)", async () => {
    fake.setFile("Codertocat", "Hello-World", FILE, 'schedule: "0 6 * * 1"\ndays: 30\n');
    await send("push", push("Hello-World", [FILE]));
    fake.setFile(
      "Codertocat",
      "Hello-World",
      FILE,
      'schedule: "0 6 * * 1"\ndays: 45\nexclude: [Codertocat/other]\n',
    );
    newCalls();
    clock = new Date("2026-12-07T06:00:03Z");
    const firings = await surfaces.scheduler.tick();
    await surfaces.idle();
    expect(firings.map((f) => f.outcome)).toEqual(["started"]);
    expect(newCalls()[0]).toBe(CONTENTS("Codertocat", "Hello-World"));
    expect(engine.requests).toMatchObject([
      {
        source: "schedule",
        requestedBy: null,
        days: 45,
        deliveryId: `schedule:${INSTALLATION}:2026-12-07T06:00:00.000Z`,
        repositories: [{ owner: "Codertocat", name: "Hello-World" }],
      },
    ]);
    const [progress] = comments();
    expect(progress).toContain("### Back-fill run #1 of 45 days (schedule): pending");
    const dashboard = fake.issue(HELLO.owner, HELLO.name, 1)!.body;
    expect(dashboard).toContain(
      "**Schedule:** `0 6 * * 1` (UTC): 45 days of every repository, except Codertocat/other. Next run: 2026-12-14 06:00 UTC.",
    );
    expect(dashboard).toContain(
      "| Repository | Status | Last backfill | Events (90 days) | Coverage | Needs back-fill |",
    );
    expect(dashboard).toMatch(
      /\| Codertocat\/Hello-World \| pending \| never \| 0 \| 0\/90 days \| yes \|/,
    );
  });

  it("a due time while a run is active is skipped, and the dashboard says so", async () => {
    fake.setFile("Codertocat", "Hello-World", FILE, 'schedule: "0 6 * * 1"\n');
    await send("push", push("Hello-World", [FILE]));
    const active = await engine.request({
      installationId: INSTALLATION,
      days: 90,
      source: "command",
      requestedBy: "mona",
    });
    clock = new Date("2026-12-07T06:00:03Z");
    expect((await surfaces.scheduler.tick()).map((f) => f.outcome)).toEqual(["skipped"]);
    await surfaces.idle();
    expect(engine.requests.map((r) => r.source)).toEqual(["command", "schedule"]);
    const dashboard = fake.issue(HELLO.owner, HELLO.name, 1)!.body;
    expect(dashboard).toContain(
      `The scheduled run due 2026-12-07 06:00 UTC was skipped: run #${active.run.id} was active.`,
    );
    expect(dashboard).toContain("Next run: 2026-12-14 06:00 UTC.");
  });
});
