import nock from "nock";
import type { Probot } from "probot";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { readConfig } from "../../src/config.js";
import type { Db } from "../../src/db/index.js";
import type { Surfaces } from "../../src/github/register-surfaces.js";
import type { FakeGitHub } from "../fakes/fake-github.js";
import { createTestDb, resetDb } from "../helpers/db.js";
import { FakeEngine } from "./fake-engine.js";
import { HELLO, INSTALLATION, OTHER, seedTrackedWorkspace } from "./tracked-workspace.js";
import { routeGitHubToFake } from "./github-nock.js";
import { openApiTemplate } from "./openapi-routes.js";
import { createTestProbot as createSurfacesProbot, examplePayload } from "../helpers/probot.js";

// biome-ignore lint/suspicious/noExplicitAny: tests patch arbitrary fields of GitHub's example payloads
type Payload = Record<string, any>;

const COMMENT_ID = 492700400;
const REPO_PATH = "/repos/Codertocat/Hello-World";

let db: Db;
let engine: FakeEngine;
let fake: FakeGitHub;
let probot: Probot;
let surfaces: Surfaces;
let delivery = 0;
const allCalls: { method: string; path: string }[] = [];

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  // Every call made in this file is a route of GitHub's REST description.
  const unknown = allCalls.filter((c) => openApiTemplate(c.method, c.path) === null);
  expect(unknown).toEqual([]);
  await db?.close();
});

async function setup(env: Record<string, string> = {}) {
  await resetDb(db);
  fake = await seedTrackedWorkspace(db);
  fake.setPermission("Codertocat", "admin");
  routeGitHubToFake(fake);
  engine = new FakeEngine(db);
  const config = readConfig(env);
  probot = await createSurfacesProbot(
    createApp({
      db,
      config,
      engine,
      onSurfaces: (s) => {
        surfaces = s;
      },
    }),
  );
}

beforeEach(async () => {
  await setup();
});

async function send(name: string, payload: unknown, id = `delivery-${++delivery}`) {
  await probot.receive({ id, name, payload } as Parameters<Probot["receive"]>[0]);
  await surfaces.idle();
  return id;
}

/** The calls the fake saw since the last look, as `METHOD /path`. */
let seen = 0;
function newCalls(): string[] {
  const calls = fake.requests.slice(seen);
  seen = fake.requests.length;
  allCalls.push(...calls);
  return calls.map((c) => `${c.method} ${c.path}`).filter((c) => !c.endsWith("/access_tokens"));
}
beforeEach(() => {
  seen = 0;
});

function bodyOf(method: string, pathEnd: string): Record<string, unknown> {
  const r = [...fake.requests]
    .reverse()
    .find((q) => q.method === method && q.path.endsWith(pathEnd));
  if (!r) throw new Error(`no ${method} …${pathEnd}`);
  return r.body ?? {};
}

function comment(body: string, patch: (p: Payload) => void = () => {}) {
  const p = examplePayload<Payload>("issue_comment", "created");
  p.installation = { id: INSTALLATION };
  p.issue.labels = [{ name: "workspace-backfill" }];
  p.comment.body = body;
  patch(p);
  return p;
}

const replyPath = `POST ${REPO_PATH}/issues/1/comments`;
const eyes = `POST ${REPO_PATH}/issues/comments/${COMMENT_ID}/reactions`;
const permission = `GET ${REPO_PATH}/collaborators/Codertocat/permission`;
const runStartCalls = [
  `POST ${REPO_PATH}/issues/1/comments`,
  `GET ${REPO_PATH}`,
  `GET ${REPO_PATH}/branches/main`,
  `POST ${REPO_PATH}/check-runs`,
  `GET ${REPO_PATH}/issues/1`,
  `PATCH ${REPO_PATH}/issues/1`,
];

describe("commands", () => {
  it("/backfill 30: 👀 first, a run of every repository, progress comment and check run, then 🚀", async () => {
    await send("issue_comment", comment("/backfill 30"));
    expect(newCalls()).toEqual([permission, eyes, ...runStartCalls]);
    expect(fake.reactionsOn(COMMENT_ID)).toEqual(["eyes"]);
    expect(engine.requests).toMatchObject([
      {
        installationId: INSTALLATION,
        days: 30,
        source: "command",
        requestedBy: "Codertocat",
        event: "issue_comment",
        action: "created",
      },
    ]);
    expect(engine.requests[0]!.repositories).toBeUndefined();
    const progress = fake.commentsOn(HELLO.owner, HELLO.name, 1)[0]!;
    expect(progress.body).toContain("\n**0/2 (0%)** completed · 2 pending\n");
    expect(progress.body).toContain("| Codertocat/Hello-World | pending |  |  |");
    const check = [...fake.checkRuns.values()][0]!;
    expect(check).toMatchObject({
      name: "Workspace backfill",
      status: "in_progress",
      head_sha: "6dcb09b5b57875f334f61aebed695e2e4193db5e",
      actions: [],
    });
    const { rows } = await db.query<{
      progress_comment_id: number;
      check_run_id: number;
      command_repository_id: number;
    }>("select progress_comment_id, check_run_id, command_repository_id from run_reports");
    expect(rows).toEqual([
      { progress_comment_id: progress.id, check_run_id: check.id, command_repository_id: HELLO.id },
    ]);
    expect(fake.issue(HELLO.owner, HELLO.name, 1)!.body).toContain(
      "- [ ] Codertocat/Hello-World <!-- repo=Codertocat/Hello-World -->",
    );

    // 10 stars in the 30 days before the last 30, 15 in the last 30 (gh-datapipe's casing).
    await db.query(
      `insert into github_events_cache (event_id, event_type, repository_owner, repository_name, created_at)
       select 'e' || g, 'WatchEvent', 'codertocat', 'hello-world',
              now() - make_interval(days => case when g <= 10 then 40 else 10 end, mins => g)
         from generate_series(1, 25) g`,
    );
    const run = (await engine.lastRun(INSTALLATION))!;
    await engine.finishItem(run.id, "Codertocat/Hello-World", {
      status: "completed",
      eventsFound: 120,
    });
    await engine.finishItem(run.id, "Codertocat/other", { status: "completed", eventsFound: 7 });
    await surfaces.idle();
    expect(newCalls()).toEqual([
      `PATCH ${REPO_PATH}/issues/comments/${progress.id}`,
      `PATCH ${REPO_PATH}/check-runs/${check.id}`,
      `GET ${REPO_PATH}/issues/1`,
      `PATCH ${REPO_PATH}/issues/1`,
      eyes,
    ]);
    expect(progress.body).toContain("\n**2/2 (100%)** completed\n");
    expect(progress.body).toContain("| Codertocat/other | completed | 7 |  |");
    expect(progress.body).toContain("| **Workspace** | 0.50 | +50% | 0.00 | n/a |");
    expect(progress.body).toContain("| Codertocat/Hello-World | 0.50 | +50% | 0.00 | n/a |");
    expect(progress.body).toContain("| Codertocat/other | 0.00 | n/a | 0.00 | n/a |");
    expect(progress.body).toContain("```mermaid\nxychart-beta");
    expect(check.output?.summary).toContain("| **Workspace** | 0.50 | +50% | 0.00 | n/a |");
    expect(check).toMatchObject({
      status: "completed",
      conclusion: "success",
      actions: [
        { label: "Backfill", identifier: "backfill", description: "Back-fill every repository" },
      ],
    });
    expect(fake.reactionsOn(COMMENT_ID)).toEqual(["eyes", "rocket"]);
  });

  it("/backfill: the default days; /backfill 30 owner/name: only those repositories", async () => {
    await send("issue_comment", comment("/backfill"));
    expect(engine.requests[0]).toMatchObject({ days: 90 });
    const run = (await engine.lastRun(INSTALLATION))!;
    await engine.cancel(INSTALLATION);
    await surfaces.idle();
    expect(run.total).toBe(2);
    newCalls();
    await send("issue_comment", comment("/backfill 30 codertocat/OTHER"));
    expect(newCalls()).toEqual([permission, eyes, ...runStartCalls]);
    expect(engine.requests[1]).toMatchObject({
      days: 30,
      repositories: [{ owner: "Codertocat", name: "other", repositoryId: OTHER.id }],
    });
  });

  it("a repository outside the workspace: a reply saying what would be right, nothing started", async () => {
    await send("issue_comment", comment("/backfill 30 octo/elsewhere"));
    expect(newCalls()).toEqual([permission, eyes, replyPath]);
    expect(bodyOf("POST", "/issues/1/comments").body).toBe(
      "`octo/elsewhere` is not in this workspace, so nothing was started. Name repositories of the workspace (`Codertocat/Hello-World`, `Codertocat/other`), e.g. `/backfill 30 Codertocat/Hello-World`.",
    );
    expect(engine.requests).toEqual([]);
  });

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
      "/backfill soon",
      "`soon` is not something `/backfill` knows: use a number of days (1 to 90), `retry`, `status`, `cancel` or `help`.",
    ],
    [
      "/backfill 30 nope",
      "`nope` is not a repository: name each one as `owner/name`, e.g. `/backfill 30 octo/a octo/b`.",
    ],
    [
      "/backfill status please",
      "`/backfill status` takes nothing after it, but got `please`: comment just `/backfill status`.",
    ],
  ])("error %j: 👀 and a reply with the error, nothing started", async (body, error) => {
    await send("issue_comment", comment(body));
    expect(newCalls()).toEqual([permission, eyes, replyPath]);
    expect(bodyOf("POST", "/issues/1/comments").body).toBe(error);
    expect(engine.requests).toEqual([]);
  });

  it("/backfill help replies with the grammar", async () => {
    await send("issue_comment", comment("/backfill help"));
    expect(newCalls()).toEqual([permission, eyes, replyPath]);
    const text = String(bodyOf("POST", "/issues/1/comments").body);
    expect(text).toContain(
      "| `/backfill 30 octo/a octo/b` | only those repositories (each must be in the workspace) |",
    );
    expect(text).toContain("| `/backfill` | back-fill all workspace repositories, 90 days |");
  });

  it("/backfill status replies with the last run's table, or says there is none", async () => {
    await send("issue_comment", comment("/backfill status"));
    expect(newCalls()).toEqual([permission, eyes, replyPath]);
    expect(bodyOf("POST", "/issues/1/comments").body).toBe(
      "No back-fill has run in this workspace yet. Comment `/backfill` to start one.",
    );
    const { run } = await engine.request({
      installationId: INSTALLATION,
      days: 7,
      source: "cli",
      requestedBy: null,
    });
    await engine.finishItem(run.id, "Codertocat/Hello-World", {
      status: "failed",
      error: "Repository not found",
    });
    await surfaces.idle();
    newCalls();
    await send("issue_comment", comment("/backfill status"));
    expect(newCalls()).toEqual([permission, eyes, replyPath]);
    const text = String(bodyOf("POST", "/issues/1/comments").body);
    expect(text).toContain("\n**0/2 (0%)** completed · 1 failed · 1 pending\n");
    expect(text).toContain("| Codertocat/Hello-World | failed |  | Repository not found |");
  });

  it("/backfill cancel cancels the active run; with none it says so", async () => {
    await send("issue_comment", comment("/backfill cancel"));
    expect(newCalls()).toEqual([permission, eyes, replyPath]);
    expect(bodyOf("POST", "/issues/1/comments").body).toBe(
      "There is no active back-fill to cancel.",
    );

    await send("issue_comment", comment("/backfill 30"));
    const progress = fake.commentsOn(HELLO.owner, HELLO.name, 1).at(-1)!;
    const check = [...fake.checkRuns.values()].at(-1)!;
    newCalls();
    await send("issue_comment", comment("/backfill cancel"));
    const calls = newCalls();
    expect(calls.slice(0, 2)).toEqual([permission, eyes]);
    expect(calls).toContain(`PATCH ${REPO_PATH}/issues/comments/${progress.id}`);
    expect(calls).toContain(`PATCH ${REPO_PATH}/check-runs/${check.id}`);
    expect(calls.filter((c) => c === replyPath)).toHaveLength(1);
    expect(fake.commentsOn(HELLO.owner, HELLO.name, 1).at(-1)!.body).toBe(
      "Cancelled back-fill run #1: 2 repositories cancelled.",
    );
    expect(check).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(progress.body).toContain("| Codertocat/other | cancelled |  |  |");
    // The run's own command gets 😕: not every repository completed.
    expect(fake.reactionsOn(COMMENT_ID)).toContain("confused");
  });

  it("/backfill retry re-runs the failures; a failed run ends with 😕, failure and a Retry failed button", async () => {
    await send("issue_comment", comment("/backfill retry"));
    expect(newCalls()).toEqual([permission, eyes, replyPath]);
    expect(bodyOf("POST", "/issues/1/comments").body).toBe(
      "The last back-fill has no failed repositories: there is nothing to retry.",
    );

    await send("issue_comment", comment("/backfill 30"));
    const run = (await engine.lastRun(INSTALLATION))!;
    await engine.finishItem(run.id, "Codertocat/Hello-World", {
      status: "failed",
      error: "Backfill job failed: boom",
    });
    await engine.finishItem(run.id, "Codertocat/other", { status: "completed", eventsFound: 3 });
    await surfaces.idle();
    const check = [...fake.checkRuns.values()].at(-1)!;
    expect(check).toMatchObject({
      conclusion: "failure",
      actions: [
        { label: "Backfill", identifier: "backfill" },
        {
          label: "Retry failed",
          identifier: "retry_failed",
          description: "Re-run the failed repositories",
        },
      ],
    });
    expect(fake.reactionsOn(COMMENT_ID)).toEqual(["eyes", "eyes", "confused"]);
    newCalls();
    await send("issue_comment", comment("/backfill retry"));
    expect(newCalls()).toEqual([permission, eyes, ...runStartCalls]);
    const retry = (await engine.lastRun(INSTALLATION))!;
    expect(retry).toMatchObject({ source: "retry", retryOf: run.id, days: 30, total: 1 });
    expect(retry.items.map((i) => i.fullName)).toEqual(["Codertocat/Hello-World"]);
  });

  it("a second back-fill while one is active gets a reply linking the active run's progress comment", async () => {
    await send("issue_comment", comment("/backfill 30"));
    const progress = fake.commentsOn(HELLO.owner, HELLO.name, 1)[0]!;
    newCalls();
    await send("issue_comment", comment("/backfill 7"));
    expect(newCalls()).toEqual([permission, eyes, replyPath]);
    expect(bodyOf("POST", "/issues/1/comments").body).toBe(
      `A back-fill is already running in this workspace (run #1, 0/2 done): follow it in [its progress comment](https://github.com/Codertocat/Hello-World/issues/1#issuecomment-${progress.id}). Comment \`/backfill cancel\` to stop it, or ask again when it has finished.`,
    );
    expect(await db.query("select id from backfill_runs")).toMatchObject({ rowCount: 1 });
  });
});

describe("who may command", () => {
  it("read permission: a short refusal, no reaction, nothing started", async () => {
    fake.setPermission("Codertocat", "read");
    await send("issue_comment", comment("/backfill 30"));
    expect(newCalls()).toEqual([permission, replyPath]);
    expect(bodyOf("POST", "/issues/1/comments").body).toBe(
      "@Codertocat, only people with write, maintain or admin permission on Codertocat/Hello-World can run `/backfill`.",
    );
    expect(engine.requests).toEqual([]);
  });

  it("not a collaborator (404): refused", async () => {
    fake.permissions.clear();
    await send("issue_comment", comment("/backfill"));
    expect(newCalls()).toEqual([permission, replyPath]);
    expect(engine.requests).toEqual([]);
  });

  it("maintain (permission write, role maintain) may command; triage may not", async () => {
    fake.setPermission("Codertocat", "write", "maintain");
    await send("issue_comment", comment("/backfill help"));
    expect(newCalls()).toEqual([permission, eyes, replyPath]);
    fake.setPermission("Codertocat", "read", "triage");
    await send("issue_comment", comment("/backfill help"));
    expect(newCalls()).toEqual([permission, replyPath]);
  });

  it("comments by bots (the app itself included) are ignored entirely", async () => {
    await send(
      "issue_comment",
      comment("/backfill 30", (p) => {
        p.sender.type = "Bot";
        p.sender.login = "workspace-backfill[bot]";
      }),
    );
    expect(newCalls()).toEqual([]);
    expect(await db.query("select * from webhook_deliveries")).toMatchObject({ rowCount: 0 });
  });

  it("comments that are not commands, or not on a workspace-backfill issue, are ignored", async () => {
    await send("issue_comment", comment("thanks! /backfill 30"));
    await send(
      "issue_comment",
      comment("/backfill 30", (p) => {
        p.issue.labels = [{ name: "bug" }];
      }),
    );
    expect(newCalls()).toEqual([]);
  });

  it("a malformed payload is logged and ignored", async () => {
    await send(
      "issue_comment",
      comment("/backfill 30", (p) => {
        p.comment.id = "not a number";
      }),
    );
    await send("issue_comment", { action: "created" });
    expect(newCalls()).toEqual([]);
  });
});

describe("deliveries", () => {
  it("a redelivered X-GitHub-Delivery changes nothing", async () => {
    const id = await send("issue_comment", comment("/backfill 30"));
    newCalls();
    await send("issue_comment", comment("/backfill 30"), id);
    expect(newCalls()).toEqual([]);
    const help = await send("issue_comment", comment("/backfill help"));
    newCalls();
    await send("issue_comment", comment("/backfill help"), help);
    expect(newCalls()).toEqual([]);
    expect(engine.requests).toHaveLength(1);
  });

  it("the same delivery handled by another process at the same moment: no 👀, no reply from this one", async () => {
    // A run the other process started for it.
    await engine.request({
      installationId: INSTALLATION,
      days: 30,
      source: "command",
      requestedBy: "Codertocat",
      deliveryId: "elsewhere",
    });
    await surfaces.idle();
    newCalls();

    // The other process records the delivery between this one's look and its request.
    const recordedElsewhere = (id: string) =>
      db.query(
        `insert into webhook_deliveries (delivery_id, event, installation_id)
         values ($1::text, 'issue_comment', $2::bigint)`,
        [id, INSTALLATION],
      );
    const request = engine.request.bind(engine);
    engine.request = async (r) => {
      await recordedElsewhere(r.deliveryId!);
      return request(r);
    };
    const retryFailed = engine.retryFailed.bind(engine);
    engine.retryFailed = async (installationId, options) => {
      await recordedElsewhere(options.deliveryId!);
      return retryFailed(installationId, options);
    };
    await send("issue_comment", comment("/backfill 30"));
    await send("issue_comment", comment("/backfill retry"));
    expect(newCalls()).toEqual([permission, permission]);
    expect(fake.reactionsOn(COMMENT_ID)).toEqual([]);
    expect(await db.query("select id from backfill_runs")).toMatchObject({ rowCount: 1 });
  });
});

describe("the webhook's answer waits for no GitHub write", () => {
  const api = "https://api.github.com";

  it("with the 👀 still on its way, the command is answered and its run requested; progress waits for the 👀", async () => {
    let arrive = () => {};
    const arrived = new Promise<void>((resolve) => {
      arrive = resolve;
    });
    // Ahead of the fake's routes: the reaction hangs until the test lets it through.
    nock.cleanAll();
    nock(api)
      .post(/\/reactions$/)
      .reply(async (uri, body) => {
        await arrived;
        const answer = fake.handle("POST", uri, body as Record<string, unknown>);
        return [answer.status, answer.body as nock.Body];
      });
    routeGitHubToFake(fake);

    await probot.receive({
      id: `delivery-${++delivery}`,
      name: "issue_comment",
      payload: comment("/backfill 30"),
    } as Parameters<Probot["receive"]>[0]);
    expect(engine.requests).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(newCalls()).toEqual([permission]);

    arrive();
    await surfaces.idle();
    expect(newCalls()).toEqual([eyes, ...runStartCalls]);
    expect(fake.reactionsOn(COMMENT_ID)).toEqual(["eyes"]);
  });

  it("a 👀 refused by a secondary rate limit is logged; the run starts and its progress follows", async () => {
    nock.cleanAll();
    nock(api)
      .post(/\/reactions$/)
      .reply(403, {
        message:
          "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
      });
    routeGitHubToFake(fake);
    await send("issue_comment", comment("/backfill 30"));
    expect(newCalls()).toEqual([permission, ...runStartCalls]);
    expect(engine.requests).toHaveLength(1);
    expect(fake.reactionsOn(COMMENT_ID)).toEqual([]);
    expect(fake.commentsOn(HELLO.owner, HELLO.name, 1)[0]!.body).toContain("**0/2 (0%)**");
  });

  it("/backfill status: the reply follows the 👀", async () => {
    nock.cleanAll();
    nock(api)
      .post(/\/reactions$/)
      .reply(502, { message: "Server Error" });
    routeGitHubToFake(fake);
    await send("issue_comment", comment("/backfill status"));
    expect(newCalls()).toEqual([permission, replyPath]);
    expect(bodyOf("POST", "/issues/1/comments").body).toBe(
      "No back-fill has run in this workspace yet. Comment `/backfill` to start one.",
    );
  });
});

function checkRunPayload(action: "requested_action" | "rerequested", identifier?: string) {
  const p = examplePayload<Payload>("check_run", action);
  p.installation = { id: INSTALLATION };
  p.repository = structuredClone(comment("").repository);
  p.sender = { login: "Codertocat", type: "User", id: 1 };
  p.check_run.name = "Workspace backfill";
  if (identifier) p.requested_action = { identifier };
  return p;
}

describe("check run", () => {
  it("the Backfill button starts a run of the default days for every repository", async () => {
    await send("check_run", checkRunPayload("requested_action", "backfill"));
    expect(newCalls()).toEqual([permission, ...runStartCalls]);
    expect(engine.requests).toMatchObject([
      { days: 90, source: "button", requestedBy: "Codertocat" },
    ]);
    expect(engine.requests[0]!.repositories).toBeUndefined();
  });

  it("rerequested acts as Backfill; Retry failed re-runs the failures", async () => {
    await send("check_run", checkRunPayload("rerequested"));
    expect(engine.requests).toMatchObject([{ days: 90, source: "button" }]);
    const run = (await engine.lastRun(INSTALLATION))!;
    await engine.finishItem(run.id, "Codertocat/Hello-World", {
      status: "completed",
      eventsFound: 1,
    });
    await engine.finishItem(run.id, "Codertocat/other", {
      status: "failed",
      error: "Backfill job timed out",
    });
    await surfaces.idle();
    newCalls();
    await send("check_run", checkRunPayload("requested_action", "retry_failed"));
    expect(newCalls()).toEqual([permission, ...runStartCalls]);
    const retry = (await engine.lastRun(INSTALLATION))!;
    expect(retry.items.map((i) => i.fullName)).toEqual(["Codertocat/other"]);
  });

  it("other apps' check runs and unknown actions are ignored", async () => {
    const other = checkRunPayload("requested_action", "backfill");
    other.check_run.name = "CI";
    await send("check_run", other);
    await send("check_run", checkRunPayload("requested_action", "lgtm"));
    expect(newCalls()).toEqual([]);
    expect(engine.requests).toEqual([]);
  });
});

function editedPayload(body: string, sender = { login: "Codertocat", type: "User" }) {
  const p = examplePayload<Payload>("issues", "edited");
  p.installation = { id: INSTALLATION };
  p.issue.number = 1;
  p.issue.state = "open";
  p.issue.labels = [{ name: "workspace-backfill" }];
  p.issue.body = body;
  p.sender = { ...p.sender, ...sender };
  return p;
}

describe("dashboard checkboxes", () => {
  async function dashboard() {
    await send("issue_comment", comment("/backfill status"));
    // The dashboard is written at a run's start; make one and end it.
    const { run } = await engine.request({
      installationId: INSTALLATION,
      days: 7,
      source: "cli",
      requestedBy: null,
    });
    surfaces.idle();
    await engine.cancel(INSTALLATION);
    await surfaces.idle();
    void run;
    return fake.issue(HELLO.owner, HELLO.name, 1)!;
  }

  it("ticking Backfill selected starts a run of the ticked repositories and clears the boxes; boxes ticked meanwhile survive", async () => {
    const issue = await dashboard();
    const ticked = issue.body
      .replace("- [ ] Codertocat/other", "- [x] Codertocat/other")
      .replace("- [ ] Backfill selected", "- [x] Backfill selected");
    // Meanwhile someone ticks Hello-World too: it is on GitHub, not in the event.
    issue.body = ticked.replace("- [ ] Codertocat/Hello", "- [x] Codertocat/Hello");
    engine.requests.length = 0;
    newCalls();
    await send("issues", editedPayload(ticked));
    const calls = newCalls();
    expect(calls.slice(0, 1)).toEqual([permission]);
    expect(calls).toContain(`GET ${REPO_PATH}/issues/1`);
    expect(calls).toContain(`PATCH ${REPO_PATH}/issues/1`);
    expect(engine.requests).toMatchObject([
      {
        days: 90,
        source: "checkbox",
        repositories: [{ owner: "Codertocat", name: "other", repositoryId: OTHER.id }],
      },
    ]);
    const body = fake.issue(HELLO.owner, HELLO.name, 1)!.body;
    expect(body).toContain("- [ ] Codertocat/other <!-- repo=Codertocat/other -->");
    expect(body).toContain("- [ ] Backfill selected");
    expect(body).toContain("- [x] Codertocat/Hello-World <!-- repo=Codertocat/Hello-World -->");
  });

  it("edits by the bot, edits without Backfill selected, and users without write permission start nothing", async () => {
    const issue = await dashboard();
    const ticked = issue.body
      .replace("- [ ] Codertocat/other", "- [x] Codertocat/other")
      .replace("- [ ] Backfill selected", "- [x] Backfill selected");
    engine.requests.length = 0;
    newCalls();
    await send("issues", editedPayload(ticked, { login: "workspace-backfill[bot]", type: "Bot" }));
    await send(
      "issues",
      editedPayload(issue.body.replace("- [ ] Codertocat/other", "- [x] Codertocat/other")),
    );
    expect(newCalls()).toEqual([]);
    fake.setPermission("Codertocat", "read");
    await send("issues", editedPayload(ticked));
    expect(newCalls()).toEqual([permission]);
    expect(engine.requests).toEqual([]);
  });
});

describe("installation", () => {
  function installPayload() {
    const p = examplePayload<Payload>("installation", "created");
    p.installation.id = 77;
    p.repositories = [
      { id: 11, name: "site", full_name: "octo-org/site", private: false },
      { id: 12, name: ".github", full_name: "octo-org/.github", private: false },
    ];
    return p;
  }

  it("installation.created: the workspace, the tracking issue in .github (label created), a run and its check run", async () => {
    fake
      .addRepo({ id: 11, owner: "octo-org", name: "site" })
      .addRepo({ id: 12, owner: "octo-org", name: ".github" });
    await send("installation", installPayload());
    const repo = "/repos/octo-org/.github";
    expect(newCalls()).toEqual([
      `GET ${repo}/issues`,
      `GET ${repo}/labels/workspace-backfill`,
      `POST ${repo}/labels`,
      `POST ${repo}/issues`,
      `POST ${repo}/issues/1/comments`,
      `GET ${repo}`,
      `GET ${repo}/branches/main`,
      `POST ${repo}/check-runs`,
      `GET ${repo}/issues/1`,
      `PATCH ${repo}/issues/1`,
    ]);
    expect(bodyOf("POST", "/octo-org/.github/issues")).toMatchObject({
      title: "Workspace backfill",
      labels: ["workspace-backfill"],
    });
    expect(engine.requests).toMatchObject([
      {
        installationId: 77,
        days: 90,
        source: "installation",
        requestedBy: null,
        repositories: [
          { owner: "octo-org", name: "site", repositoryId: 11 },
          { owner: "octo-org", name: ".github", repositoryId: 12 },
        ],
      },
    ]);
    const { rows } = await db.query(
      "select tracking_repository_id, tracking_issue_number from workspaces where installation_id = 77",
    );
    expect(rows).toEqual([{ tracking_repository_id: 12, tracking_issue_number: 1 }]);
  });

  it("installation_repositories.added: a run of the new repositories only; with AUTO_BACKFILL_ON_INSTALL=false, none", async () => {
    const p = examplePayload<Payload>("installation_repositories", "added");
    p.installation.id = INSTALLATION;
    p.repositories_added = [
      { id: 3003, name: "new-one", full_name: "Codertocat/new-one", private: false },
    ];
    await send("installation_repositories", p);
    expect(engine.requests).toMatchObject([
      {
        installationId: INSTALLATION,
        source: "installation",
        repositories: [{ owner: "Codertocat", name: "new-one", repositoryId: 3003 }],
      },
    ]);
    expect(newCalls()).toEqual(runStartCalls);

    await setup({ AUTO_BACKFILL_ON_INSTALL: "false" });
    seen = 0;
    await send("installation_repositories", p);
    expect(engine.requests).toEqual([]);
    expect(newCalls()).toEqual([]);
  });
});
