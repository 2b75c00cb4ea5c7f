import type { RunSnapshot } from "../backfill/types.js";
import { listRepositories } from "../workspaces/index.js";
import { createComment } from "./github-api.js";
import type { Delivery } from "./guard-delivery.js";
import type { IssuesEdited } from "./payloads.js";
import { readDashboardSelection } from "./read-dashboard-selection.js";
import { refreshDashboard } from "./refresh-dashboard.js";
import { activeRunReply, type SurfaceContext, webBaseOf } from "./surface-context.js";
import { adoptTrackingIssue, type TrackingIssue } from "./tracking-issue.js";

/** A guarded `Backfill selected`: a run of the ticked repositories, then the boxes cleared. */
export async function backfillSelected(
  ctx: SurfaceContext,
  d: Delivery<IssuesEdited>,
): Promise<void> {
  const { installationId, payload: p } = d;
  await adoptTrackingIssue(ctx.db, installationId, p.repository.id, p.issue.number);
  const tracking: TrackingIssue = {
    repo: d.repo,
    repositoryId: p.repository.id,
    issueNumber: p.issue.number,
  };
  const trackingDeps = {
    db: ctx.db,
    octokit: d.octokit,
    lock: ctx.lock,
    log: ctx.log,
    publicUrl: ctx.config.PUBLIC_URL,
    config: ctx.config,
  };
  /** The dashboard rewritten (the `Backfill selected` box cleared), then `text` if any. */
  const rewrite = (run: RunSnapshot | null, text: string | null, consumed?: Set<string>) =>
    ctx.tasks.run("dashboard", async () => {
      await refreshDashboard(trackingDeps, installationId, tracking, {
        ...(consumed ? { consumed } : {}),
        clearSelected: true,
        run,
      });
      if (text) await createComment(d.octokit, d.repo, p.issue.number, text);
    });

  const selection = readDashboardSelection(p.issue.body ?? "");
  const known = await listRepositories(ctx.db, installationId);
  const byName = new Map(known.map((r) => [r.fullName.toLowerCase(), r]));
  const ticked = [...new Set(selection.repositories.map((r) => r.toLowerCase()))]
    .map((r) => byName.get(r))
    .filter((r) => r !== undefined);
  if (ticked.length === 0) {
    if (!(await d.record())) return;
    rewrite(null, "Tick at least one repository, then tick **Backfill selected**.");
    return;
  }
  const result = await ctx.engine.request({
    installationId,
    days: ctx.config.BACKFILL_DEFAULT_DAYS,
    source: "checkbox",
    requestedBy: d.sender,
    repositories: ticked.map((r) => ({
      owner: r.owner,
      name: r.name,
      repositoryId: r.repositoryId,
    })),
    ...d.request,
  });
  switch (result.kind) {
    case "duplicate":
      // The same delivery reached another process too, and it answers.
      ctx.log.info({ installationId }, "duplicated dashboard delivery ignored");
      return;
    case "created":
      ctx.reporter.track(result.run);
      rewrite(result.run, null, new Set(ticked.map((r) => r.fullName.toLowerCase())));
      return;
    case "active":
      // The repositories stay ticked for when the active run has finished.
      rewrite(result.run, await activeRunReply(ctx, webBaseOf(p.issue.html_url), result.run));
  }
}
