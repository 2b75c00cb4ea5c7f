import type { Probot } from "probot";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { routeGitHubToFake } from "./github-nock.js";
import { HELLO, OTHER, INSTALLATION } from "./tracked-workspace.js";
import {
  COMMENT_ID,
  REPO_PATH,
  replyPath,
  eyes,
  permission,
  runStartCalls,
  db,
  engine,
  fake,
  probot,
  surfaces,
  send,
  newCalls,
  bodyOf,
  comment,
  surfacesSuite,
} from "./surfaces-harness.js";

// `/backfill` commands (handle-command.ts, answer-command.ts, command-writes.ts).

surfacesSuite();

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
    await engine.finishItem(run.id, "Codertocat/Hello-World", { status: "completed" });
    await engine.finishItem(run.id, "Codertocat/other", { status: "completed", rows: 7 });
    await surfaces.idle();
    expect(newCalls()).toEqual([
      `PATCH ${REPO_PATH}/issues/comments/${progress.id}`,
      `PATCH ${REPO_PATH}/check-runs/${check.id}`,
      `GET ${REPO_PATH}/issues/1`,
      `PATCH ${REPO_PATH}/issues/1`,
      eyes,
    ]);
    expect(progress.body).toContain("\n**2/2 (100%)** completed\n");
    expect(progress.body).toContain("| Codertocat/other | completed | 7 events |  |");
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
    await engine.cancel(INSTALLATION, null);
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
      "`soon` is not something `/backfill` knows: use a number of days (1 to 90), `all`, `retry`, `status`, `cancel` or `help`.",
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
    // The other repository's job is still running at gh-datapipe.
    expect(text).toContain("\n**0/2 (0%)** completed · 1 failed · 1 processing\n");
    expect(text).toContain(
      "| Codertocat/Hello-World | failed |  | Backfill job failed\\: Repository not found |",
    );
    expect(text).toContain("| Codertocat/other | processing |  |  |");
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
      error: "boom",
    });
    await engine.finishItem(run.id, "Codertocat/other", { status: "completed", rows: 3 });
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

describe("the webhook's answer waits for no GitHub write", () => {
  const api = "https://api.github.com";

  it("with the 👀 still on its way, the command is answered and its run requested; progress waits for the 👀", async () => {
    let arrive = () => {};
    const arrived = new Promise<void>((resolve) => {
      arrive = resolve;
    });
    let reach = () => {};
    const reached = new Promise<void>((resolve) => {
      reach = resolve;
    });
    // Ahead of the fake's routes: the reaction hangs until the test lets it through.
    nock.cleanAll();
    nock(api)
      .post(/\/reactions$/)
      .reply(async (uri, body) => {
        reach();
        await arrived;
        const answer = fake.handle("POST", uri, body as Record<string, unknown>);
        return [answer.status, answer.body as nock.Body];
      });
    routeGitHubToFake(fake);

    await probot.receive({
      id: "delivery-eyes-held",
      name: "issue_comment",
      payload: comment("/backfill 30"),
    } as Parameters<Probot["receive"]>[0]);
    expect(engine.requests).toHaveLength(1);
    // The 👀 is at GitHub, unanswered. The reporter started on the run before the handler
    // returned, and its first write waits on the 👀 before any call: nothing else is made.
    await reached;
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
