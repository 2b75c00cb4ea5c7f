import { describe, expect, it } from "vitest";
import { INSTALLATION } from "./tracked-workspace.js";
import {
  COMMENT_ID,
  replyPath,
  eyes,
  permission,
  db,
  engine,
  fake,
  surfaces,
  send,
  newCalls,
  bodyOf,
  comment,
  surfacesSuite,
} from "./surfaces-harness.js";

// The guard every command-like delivery passes (guard-delivery.ts), through the command handler.

surfacesSuite();

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
