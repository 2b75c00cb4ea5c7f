import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { getWorkspace, listRepositories } from "../../src/workspaces/read-workspace.js";
import { recordDelivery } from "../../src/workspaces/record-delivery.js";
import {
  addRepositories,
  claimTrackingIssue,
  ensureOperatorWorkspace,
  releaseTrackingClaim,
  saveTrackingIssue,
  setWorkspaceStatus,
  upsertWorkspace,
} from "../../src/workspaces/workspace-store.js";
import { createTestDb, resetDb } from "../helpers/db.js";

/** The one writer of `workspaces` and `workspace_repositories`, over the real tables. */

let db: Db;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.close();
});
beforeEach(async () => {
  await resetDb(db);
});

const row = async (installationId: number) =>
  (
    await db.query(
      `select installation_id, account_login, account_type, status, tracking_repository_id,
              tracking_issue_number, tracking_claimed_at is not null as claimed
         from workspaces where installation_id = $1::bigint`,
      [installationId],
    )
  ).rows;

describe("workspaces", () => {
  it("an installation re-created after deletion comes back active with its account", async () => {
    await upsertWorkspace(db, { installationId: 5, accountLogin: "octo", accountType: "User" });
    expect(await setWorkspaceStatus(db, 5, "deleted")).toBe(true);
    await upsertWorkspace(db, { installationId: 5, accountLogin: "octo-org" });
    expect(await row(5)).toEqual([
      {
        installation_id: 5,
        account_login: "octo-org",
        account_type: "User",
        status: "active",
        tracking_repository_id: null,
        tracking_issue_number: null,
        claimed: false,
      },
    ]);
    expect(await setWorkspaceStatus(db, 6, "suspended")).toBe(false);
  });

  it("the CLI's operator workspace is created once and revived only when deleted", async () => {
    await ensureOperatorWorkspace(db, 0);
    await setWorkspaceStatus(db, 0, "suspended");
    await ensureOperatorWorkspace(db, 0);
    expect((await getWorkspace(db, 0))?.status).toBe("suspended");
    await setWorkspaceStatus(db, 0, "deleted");
    await ensureOperatorWorkspace(db, 0);
    expect(await getWorkspace(db, 0)).toEqual({
      installationId: 0,
      accountLogin: "operator",
      accountId: null,
      accountType: "Operator",
      status: "active",
      trackingRepositoryId: null,
      trackingIssueNumber: null,
    });
  });

  it("the tracking issue: saved, claimed by one process at a time, a stale claim taken over", async () => {
    await upsertWorkspace(db, { installationId: 7, accountLogin: "octo" });
    expect(await claimTrackingIssue(db, 7, 120_000)).toBe(true);
    expect(await claimTrackingIssue(db, 7, 120_000)).toBe(false);
    // A claim older than the limit is a process that died mid-way.
    expect(await claimTrackingIssue(db, 7, 0)).toBe(true);
    await saveTrackingIssue(db, 7, 701, 3);
    await releaseTrackingClaim(db, 7);
    expect(await row(7)).toMatchObject([
      { tracking_repository_id: 701, tracking_issue_number: 3, claimed: false },
    ]);
    expect(await claimTrackingIssue(db, 7, 120_000)).toBe(true);
  });
});

describe("workspace repositories", () => {
  it("kept in GitHub's order; only the new ones are returned; a rename follows the id", async () => {
    await upsertWorkspace(db, { installationId: 8, accountLogin: "octo" });
    const repo = (id: number, name: string) => ({
      repositoryId: id,
      owner: "octo",
      name,
      private: false,
    });
    expect(await addRepositories(db, 8, [repo(2, "z"), repo(1, "a")])).toEqual([
      repo(2, "z"),
      repo(1, "a"),
    ]);
    expect(await addRepositories(db, 8, [repo(1, "a-renamed"), repo(3, "m")])).toEqual([
      repo(3, "m"),
    ]);
    expect((await listRepositories(db, 8)).map((r) => [r.repositoryId, r.fullName])).toEqual([
      [2, "octo/z"],
      [1, "octo/a-renamed"],
      [3, "octo/m"],
    ]);
  });
});

describe("webhook deliveries", () => {
  it("recorded once: a redelivery answers false and changes nothing", async () => {
    const delivery = { id: "d-1", event: "issue_comment", action: "created", installationId: 9 };
    expect(await recordDelivery(db, delivery)).toBe(true);
    expect(await recordDelivery(db, { ...delivery, action: "edited" })).toBe(false);
    expect(
      (await db.query("select delivery_id, event, action, installation_id from webhook_deliveries"))
        .rows,
    ).toEqual([
      { delivery_id: "d-1", event: "issue_comment", action: "created", installation_id: 9 },
    ]);
  });
});
