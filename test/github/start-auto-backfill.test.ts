import { describe, expect, it } from "vitest";
import { INSTALLATION } from "./tracked-workspace.js";
import { examplePayload } from "../helpers/probot.js";
import {
  type Payload,
  runStartCalls,
  db,
  engine,
  fake,
  setup,
  send,
  newCalls,
  bodyOf,
  resetCalls,
  surfacesSuite,
} from "./surfaces-harness.js";

// Runs started by installations (start-auto-backfill.ts).

surfacesSuite();

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
      // The settings file (contract §7), none here: read before the first back-fill.
      `GET ${repo}/contents/.github%2Fworkspace-backfill.yml`,
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
    resetCalls();
    await send("installation_repositories", p);
    expect(engine.requests).toEqual([]);
    expect(newCalls()).toEqual([]);
  });
});
