import { listRepositories, recordDelivery } from "../workspaces/index.js";
import { mayCommand } from "./check-permission.js";
import { deliverySeen } from "./delivery-seen.js";
import { createComment } from "./github-api.js";
import type { WebhookInput } from "./handle-command.js";
import { issuesEdited, labelNames } from "./payloads.js";
import { readDashboardSelection } from "./read-dashboard-selection.js";
import {
  activeRunReply,
  requestErrorText,
  type SurfaceContext,
  webBaseOf,
} from "./surface-context.js";
import {
  refreshDashboard,
  saveTrackingIssue,
  storedTrackingIssue,
  TRACKING_LABEL,
  type TrackingIssue,
} from "./tracking-issue.js";

/**
 * `issues.edited` on the dashboard: `Backfill selected` ticked by someone with write
 * permission starts a run of the ticked repositories, then the boxes are cleared.
 */
export async function handleDashboardEdit(ctx: SurfaceContext, input: WebhookInput): Promise<void> {
  const parsed = issuesEdited.safeParse(input.payload);
  if (!parsed.success) {
    ctx.log.warn(
      { deliveryId: input.deliveryId, issues: parsed.error.issues.slice(0, 3) },
      "malformed issues payload ignored",
    );
    return;
  }
  const p = parsed.data;
  // Our own rewrites come back as `issues.edited`: never commands.
  if (p.sender.type === "Bot") return;
  if (!labelNames(p.issue.labels).includes(TRACKING_LABEL)) return;
  if (p.issue.state && p.issue.state !== "open") return;
  const selection = readDashboardSelection(p.issue.body ?? "");
  if (!selection.backfillSelected) return;
  if (await deliverySeen(ctx.db, input.deliveryId)) return;

  const { octokit } = input;
  const repo = { owner: p.repository.owner.login, repo: p.repository.name };
  const installationId = p.installation.id;
  const record = () =>
    ctx.db.transaction((tx) =>
      recordDelivery(tx, {
        id: input.deliveryId,
        event: "issues",
        action: "edited",
        installationId,
      }),
    );
  if (!(await mayCommand(octokit, repo, p.sender.login))) {
    ctx.log.info(
      { installationId, sender: p.sender.login },
      "dashboard selection by a user without write permission ignored",
    );
    await record();
    return;
  }
  if (!(await storedTrackingIssue(ctx.db, installationId))) {
    await saveTrackingIssue(ctx.db, installationId, p.repository.id, p.issue.number);
  }
  const tracking: TrackingIssue = {
    repo,
    repositoryId: p.repository.id,
    issueNumber: p.issue.number,
  };
  const trackingDeps = {
    db: ctx.db,
    octokit,
    lock: ctx.lock,
    log: ctx.log,
    publicUrl: ctx.config.PUBLIC_URL,
    config: ctx.config,
  };
  const reply = (text: string) => createComment(octokit, repo, p.issue.number, text);

  const known = await listRepositories(ctx.db, installationId);
  const byName = new Map(known.map((r) => [r.fullName.toLowerCase(), r]));
  const ticked = [...new Set(selection.repositories.map((r) => r.toLowerCase()))]
    .map((r) => byName.get(r))
    .filter((r) => r !== undefined);

  if (ticked.length === 0) {
    if (!(await record())) return;
    ctx.tasks.run("dashboard", async () => {
      await refreshDashboard(trackingDeps, installationId, tracking, {
        clearSelected: true,
        run: null,
      });
      await reply("Tick at least one repository, then tick **Backfill selected**.");
    });
    return;
  }
  try {
    const result = await ctx.engine.request({
      installationId,
      days: ctx.config.BACKFILL_DEFAULT_DAYS,
      source: "checkbox",
      requestedBy: p.sender.login,
      repositories: ticked.map((r) => ({
        owner: r.owner,
        name: r.name,
        repositoryId: r.repositoryId,
      })),
      deliveryId: input.deliveryId,
      event: "issues",
      action: "edited",
    });
    if (result.duplicate) {
      // The same delivery reached another process too, and it answers.
      ctx.log.info({ installationId }, "duplicated dashboard delivery ignored");
    } else if (result.created) {
      ctx.reporter.track(result.run);
      const consumed = new Set(ticked.map((r) => r.fullName.toLowerCase()));
      ctx.tasks.run("dashboard", async () => {
        await refreshDashboard(trackingDeps, installationId, tracking, {
          consumed,
          clearSelected: true,
          run: result.run,
        });
      });
    } else {
      const text = await activeRunReply(ctx, webBaseOf(p.issue.html_url), result.run);
      // The repositories stay ticked for when the active run has finished.
      ctx.tasks.run("dashboard", async () => {
        await refreshDashboard(trackingDeps, installationId, tracking, {
          clearSelected: true,
          run: result.run,
        });
        await reply(text);
      });
    }
  } catch (err) {
    const text = requestErrorText(err);
    if (text === null) throw err;
    ctx.log.warn({ installationId, reason: text }, "dashboard selection refused");
  }
}
