import fc from "fast-check";
import pino from "pino";
import { type Logger, Probot, ProbotOctokit } from "probot";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createEngine } from "../../src/backfill/index.js";
import { silentLog } from "../../src/backfill/engine-log.js";
import type { Engine } from "../../src/backfill/types.js";
import { readConfig } from "../../src/config.js";
import type { Db } from "../../src/db/index.js";
import type { Surfaces } from "../../src/github/register-surfaces.js";
import { parseCommand } from "../../src/github/parse-command.js";
import {
  commentPayload,
  FaultyGitHub,
  OWNER,
  runRows,
  seedWorkspace,
  TRACKING_ISSUE,
} from "../faults/app-harness.js";
import { createTestDb, resetDb } from "../helpers/db.js";
import { testPrivateKey } from "../helpers/probot.js";

/**
 * Hostile `/backfill` comments through the real handler (`probot.receive`, GitHub's fake
 * behind nock, the real engine — not started, so runs stay pending and nothing is
 * triggered): huge, control characters, look-alikes, markdown, people without write
 * permission, and 10,000 generated strings. Nothing may throw, start what it should not,
 * or echo user text as live markdown.
 */

const REPOS = ["alpha", "_init_", "beta"];
let db: Db;
let github: FaultyGitHub;
let engine: Engine;
let probot: Probot;
let surfaces: Surfaces;
let delivery = 0;

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.close();
});

async function setup() {
  await resetDb(db);
  github = new FaultyGitHub();
  await seedWorkspace(db, github, REPOS);
  for (const [login, permission, role] of [
    ["reader", "read", "read"],
    ["triager", "read", "triage"],
    ["writer", "write", "write"],
    ["maintainer", "write", "maintain"],
  ] as const) {
    github.setPermission(login, permission, role);
  }
  const config = readConfig({ GH_DATPIPE_KEY: "k" });
  engine = createEngine({ db, config, log: silentLog });
  probot = new Probot({
    appId: 123,
    privateKey: testPrivateKey(),
    // GitHub's fake answers in-process: 10,000 deliveries need no sockets.
    request: { fetch: fetchFrom(github) },
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      throttle: { enabled: false },
      retry: { enabled: false },
    })),
    log: pino({ level: "silent" }) as unknown as Logger,
  });
  await probot.load(createApp({ db, config, engine, onSurfaces: (s) => (surfaces = s) }), {
    cwd: process.cwd(),
    addHandler: () => {},
  });
}
beforeEach(setup);

/** A `fetch` that hands each request to the fake GitHub, as its HTTP server would. */
function fetchFrom(fake: FaultyGitHub): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const text = await request.text();
    const url = new URL(request.url);
    const answer = fake.handle(
      request.method,
      url.pathname + url.search,
      text ? JSON.parse(text) : null,
    );
    return new Response(answer.status === 204 ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { "content-type": "application/json; charset=utf-8" },
    });
  };
}

async function comment(body: string, login = "admin-user") {
  const payload = commentPayload(body, { login });
  await probot.receive({
    id: `hostile-${++delivery}`,
    name: "issue_comment",
    payload,
  } as Parameters<Probot["receive"]>[0]);
  await surfaces.idle();
  return payload;
}

/** The bot's replies on the tracking issue (the progress comment excluded). */
const replies = () =>
  github
    .commentsOn(OWNER, "alpha", TRACKING_ISSUE)
    .map((c) => c.body)
    .filter((b) => !b.startsWith("<!-- workspace-backfill:run="));

/** Markdown outside code spans: what GitHub would render live. */
const live = (text: string) => text.replace(/`[^`\n]*`/g, "");

describe("hostile command comments", () => {
  it("a 64 KiB command is answered once, briefly, and starts nothing", async () => {
    const huge = `/backfill 30 ${"octo/x ".repeat(9_360)}`; // 65,533 characters
    const repoHuge = `/backfill 30 ${"a".repeat(65_520)}/b`;
    await comment(huge);
    await comment(repoHuge);
    expect((await runRows(db)).runs).toEqual([]);
    const answers = replies();
    expect(answers).toHaveLength(2);
    for (const a of answers) expect(a.length).toBeLessThan(1_000);
    expect(answers[0]).toContain("is not in this workspace");
  });

  it("control characters neither crash the handler nor reach the reply", async () => {
    for (const body of [
      "/backfill\u0000 30",
      "/backfill 30\u0007\u001b[31m",
      "/backfill \u202eoctO/a",
      "/backfill\u000b30",
      "/backfill 30 octo/a\u0000",
    ]) {
      await comment(body);
    }
    const answers = replies();
    expect(answers.length).toBeGreaterThan(0);
    for (const a of answers) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: what is looked for
      expect(a).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    }
  });

  it("Unicode look-alikes are not commands, and fullwidth digits are not days", async () => {
    await comment("／backfill 30"); // fullwidth solidus
    await comment("/bаckfill 30"); // Cyrillic а
    await comment("\u2215backfill 30"); // division slash
    expect(github.requests).toEqual([]);
    await comment("/backfill ３０"); // fullwidth digits
    await comment("/backfill ٣٠"); // Arabic-Indic digits
    expect((await runRows(db)).runs).toEqual([]);
    const answers = replies();
    expect(answers).toHaveLength(2);
    expect(answers[0]).toContain("is not something `/backfill` knows");
  });

  it("markdown and mentions in what is echoed back stay inert", async () => {
    const attacks = [
      "/backfill 30 octo/[click](https://evil.example)",
      "/backfill 30 <img src=x onerror=alert(1)>/repo",
      "/backfill 30 @everyone/repo",
      "/backfill **bold** `code` ![i](https://evil.example/i.png)",
      "/backfill status `</code><script>x</script>",
      "/backfill 30 octo/a|b",
      "/backfill help @org/team",
      "/backfill 30 octo/__proto__ evil/`rm -rf`",
    ];
    for (const a of attacks) await comment(a);
    const answers = replies();
    expect(answers).toHaveLength(attacks.length);
    for (const a of answers) {
      const text = live(a);
      expect(text).not.toMatch(/evil\.example|<img|<script|@everyone|@org|\*\*bold|\]\(/);
      expect(text).not.toMatch(/\|/);
    }
    // A workspace repository named like emphasis is escaped in the status table.
    await comment("/backfill 30 octo-org/_init_");
    await comment("/backfill status");
    const status = replies().at(-1)!;
    expect(status).toContain("| octo-org/\\_init\\_ |");
  });

  it("only write, maintain and admin may start, retry or cancel", async () => {
    for (const login of ["reader", "triager", "stranger"]) {
      const p = await comment("/backfill 30", login);
      await comment("/backfill retry", login);
      await comment("/backfill cancel", login);
      expect(github.reactionsOn(p.comment.id)).toEqual([]);
    }
    expect((await runRows(db)).runs).toEqual([]);
    const refusals = replies();
    expect(refusals).toHaveLength(9);
    for (const r of refusals)
      expect(r).toMatch(/only people with write, maintain or admin permission/);

    const writer = await comment("/backfill 30", "writer");
    expect(github.reactionsOn(writer.comment.id)).toEqual(["eyes"]);
    const { runs } = await runRows(db);
    expect(runs.map((r) => r.status)).toEqual(["pending"]);
    // A reader cannot cancel the active run…
    await comment("/backfill cancel", "reader");
    expect((await runRows(db)).runs.map((r) => r.status)).toEqual(["pending"]);
    // …a maintainer can.
    await comment("/backfill cancel", "maintainer");
    expect((await runRows(db)).runs.map((r) => r.status)).toEqual(["cancelled"]);
  });
});

const commandish = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "grapheme", maxLength: 60 }).map((s) => `/backfill ${s}`),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          "30",
          "0",
          "-1",
          "+7",
          "91",
          "1e3",
          "３０",
          "retry",
          "STATUS",
          "cancel",
          "help",
        ),
        fc.constantFrom(
          "octo-org/alpha",
          "octo-org/_init_",
          "octo/x",
          "a/b/c",
          "../..",
          "`",
          "@x",
          "[a](b)",
        ),
        fc.string({ maxLength: 12 }),
        fc.integer().map(String),
      ),
      { maxLength: 6 },
    )
    .map((parts) => `/backfill ${parts.join(" ")}`),
  fc
    .tuple(
      fc.constantFrom("/backfill", "/BACKFILL", " /backfill", "/backfill\t"),
      fc.string({ maxLength: 30 }),
      fc.string({ maxLength: 30 }),
    )
    .map(([a, b, c]) => `${a}${b}\n${c}`),
);

describe("10,000 generated command strings", () => {
  it("the parser is total: an answer for each, never a throw", () => {
    fc.assert(
      fc.property(commandish, (body) => {
        const result = parseCommand(body, { maxDays: 90, defaultDays: 90 });
        if (result.ok) return true;
        return (
          typeof result.error === "string" && result.error.length > 0 && result.error.length < 600
        );
      }),
      { numRuns: 10_000, seed: 7 },
    );
  });

  it("the handler takes each without a throw, and at most one run is ever active", async () => {
    const runs = Number(process.env.FUZZ_RUNS ?? 10_000);
    const bodies = fc.sample(commandish, { numRuns: runs, seed: 7 });
    // Delivered 25 at a time, as GitHub does under load: a handler error rejects receive().
    const failures: unknown[] = [];
    for (let i = 0; i < bodies.length; i += 25) {
      const batch = bodies.slice(i, i + 25).map((body) =>
        probot
          .receive({
            id: `fuzz-${++delivery}`,
            name: "issue_comment",
            payload: commentPayload(body),
          } as Parameters<Probot["receive"]>[0])
          .catch((err: unknown) => failures.push({ body, err: String(err) })),
      );
      await Promise.all(batch);
    }
    await surfaces.idle();
    expect(failures).toEqual([]);
    const { rows } = await db.query<{ status: string; n: number }>(
      "select status, count(*)::int as n from backfill_runs group by status order by status",
    );
    // Runs started and cancelled by the generated commands, never two active at once.
    expect(
      rows.filter((r) => r.status === "pending").reduce((a, r) => a + r.n, 0),
    ).toBeLessThanOrEqual(1);
    const { rows: deliveries } = await db.query<{ n: number }>(
      "select count(*)::int as n from webhook_deliveries where delivery_id like 'fuzz-%'",
    );
    expect(deliveries[0]!.n).toBeGreaterThan(0);
    expect(github.faulted).toEqual([]);
  }, 120_000);
});
