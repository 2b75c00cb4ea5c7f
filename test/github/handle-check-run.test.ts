import { describe, expect, it } from "vitest";
import { INSTALLATION } from "./tracked-workspace.js";
import { examplePayload } from "../helpers/probot.js";
import {
  type Payload,
  permission,
  runStartCalls,
  engine,
  surfaces,
  send,
  newCalls,
  comment,
  surfacesSuite,
} from "./surfaces-harness.js";

// The check run's buttons (handle-check-run.ts).

surfacesSuite();

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
      rows: 1,
    });
    await engine.finishItem(run.id, "Codertocat/other", {
      status: "failed",
      error: "the job ran out of time",
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
