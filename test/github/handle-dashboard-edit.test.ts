import { describe, expect, it } from "vitest";
import { HELLO, OTHER, INSTALLATION } from "./tracked-workspace.js";
import { examplePayload } from "../helpers/probot.js";
import {
  type Payload,
  REPO_PATH,
  permission,
  engine,
  fake,
  surfaces,
  send,
  newCalls,
  comment,
  surfacesSuite,
} from "./surfaces-harness.js";

// The dashboard's checkboxes (handle-dashboard-edit.ts, backfill-selected.ts).

surfacesSuite();

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
    await engine.cancel(INSTALLATION, null);
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
