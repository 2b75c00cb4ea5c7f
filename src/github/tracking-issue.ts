import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "probot";
import type { Queryable } from "../db/index.js";
import {
  claimTrackingIssue,
  getWorkspace,
  listRepositories,
  releaseTrackingClaim,
  saveTrackingIssue,
  type WorkspaceRepository,
} from "../workspaces/index.js";
import type { Octokit, Repo } from "./github-api.js";
import { createIssue, ensureLabel, findOpenIssueByLabel } from "./issue-api.js";
import { type ClaimTiming, claimDefaults } from "./claim-report-id.js";
import type { KeyedLock } from "./keyed-lock.js";
import { loadDashboardRows } from "./load-dashboard-rows.js";
import { renderDashboard } from "./render-dashboard.js";

export const TRACKING_LABEL = "workspace-backfill";
export const TRACKING_TITLE = "Workspace backfill";

export interface TrackingIssue {
  repo: Repo;
  repositoryId: number;
  issueNumber: number;
}

export interface TrackingDeps {
  db: Queryable;
  octokit: Octokit;
  lock: KeyedLock;
  log: Pick<Logger, "info" | "warn">;
  /** How replicas take turns creating the tracking issue (tests shorten the wait). */
  claimTiming?: ClaimTiming;
  /** PUBLIC_URL, for the dashboard's embed lines (contract §8). */
  publicUrl?: string | undefined;
  /** The days of scheduled runs, for the dashboard's schedule line. */
  config?: { BACKFILL_DEFAULT_DAYS?: number; BACKFILL_MAX_DAYS?: number };
}

/** Contract §3: the installation's `.github` repository, else its first in GitHub's order. */
export function chooseTrackingRepository(repos: WorkspaceRepository[]): WorkspaceRepository | null {
  return repos.find((r) => r.name.toLowerCase() === ".github") ?? repos[0] ?? null;
}

/** The stored tracking issue, when its repository is still in the workspace. */
export async function storedTrackingIssue(
  db: Queryable,
  installationId: number,
): Promise<TrackingIssue | null> {
  const { rows } = await db.query<{
    repository_id: number;
    owner: string;
    name: string;
    issue: number;
  }>(
    `select r.repository_id, r.owner, r.name, w.tracking_issue_number as issue
       from workspaces w
       join workspace_repositories r
         on r.installation_id = w.installation_id and r.repository_id = w.tracking_repository_id
      where w.installation_id = $1::bigint and w.tracking_issue_number is not null`,
    [installationId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    repo: { owner: row.owner, repo: row.name },
    repositoryId: row.repository_id,
    issueNumber: row.issue,
  };
}

/** A command on a labelled issue adopts it as the tracking issue when there is none yet. */
export async function adoptTrackingIssue(
  db: Queryable,
  installationId: number,
  repositoryId: number,
  issueNumber: number,
): Promise<void> {
  if (await storedTrackingIssue(db, installationId)) return;
  await saveTrackingIssue(db, installationId, repositoryId, issueNumber);
}

/**
 * Finds the workspace's tracking issue (label `workspace-backfill`) or creates it with the
 * dashboard as its body. Null when the workspace has no repository to hold it.
 */
export async function ensureTrackingIssue(
  deps: TrackingDeps,
  installationId: number,
): Promise<TrackingIssue | null> {
  // The in-process lock orders this process's callers; the claim in the workspace row
  // orders replicas: the one whose claim lands finds or creates, the others wait for it.
  return deps.lock(`tracking:${installationId}`, async () => {
    const timing = deps.claimTiming ?? claimDefaults;
    for (;;) {
      const stored = await storedTrackingIssue(deps.db, installationId);
      if (stored) return stored;
      const workspace = await getWorkspace(deps.db, installationId);
      if (!workspace || workspace.status === "deleted") return null;
      if (await claimTrackingIssue(deps.db, installationId, timing.claimTtlMs)) break;
      await sleep(timing.pollMs);
    }
    try {
      return await findOrCreateTrackingIssue(deps, installationId);
    } finally {
      await releaseTrackingClaim(deps.db, installationId);
    }
  });
}

async function findOrCreateTrackingIssue(
  deps: TrackingDeps,
  installationId: number,
): Promise<TrackingIssue | null> {
  const target = chooseTrackingRepository(await listRepositories(deps.db, installationId));
  if (!target) return null;
  const repo = { owner: target.owner, repo: target.name };
  let issue = await findOpenIssueByLabel(deps.octokit, repo, TRACKING_LABEL);
  if (!issue) {
    await ensureLabel(deps.octokit, repo, {
      name: TRACKING_LABEL,
      color: "0e8a16",
      description: "Workspace backfill dashboard and commands",
    });
    const rows = await loadDashboardRows(deps.db, installationId);
    issue = await createIssue(deps.octokit, repo, {
      title: TRACKING_TITLE,
      body: renderDashboard({
        rows,
        ticked: new Set(),
        backfillSelected: false,
        runLine: null,
        publicUrl: deps.publicUrl,
      }),
      labels: [TRACKING_LABEL],
    });
    deps.log.info({ installationId, issue: issue.number }, "tracking issue created");
  }
  await saveTrackingIssue(deps.db, installationId, target.repositoryId, issue.number);
  return { repo, repositoryId: target.repositoryId, issueNumber: issue.number };
}
