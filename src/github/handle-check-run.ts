import { recordDelivery } from "../workspaces/index.js";
import { mayCommand } from "./check-permission.js";
import { deliverySeen } from "./delivery-seen.js";
import type { WebhookInput } from "./handle-command.js";
import { checkRunAction } from "./payloads.js";
import { BACKFILL_ACTION, CHECK_RUN_NAME, RETRY_ACTION } from "./run-reporter.js";
import { requestErrorText, type SurfaceContext } from "./surface-context.js";

/**
 * `check_run.requested_action` (the `Backfill` and `Retry failed` buttons) and
 * `check_run.rerequested` (acts as `Backfill`) on our `Workspace backfill` check run.
 */
export async function handleCheckRun(ctx: SurfaceContext, input: WebhookInput): Promise<void> {
  const parsed = checkRunAction.safeParse(input.payload);
  if (!parsed.success) {
    ctx.log.warn(
      { deliveryId: input.deliveryId, issues: parsed.error.issues.slice(0, 3) },
      "malformed check_run payload ignored",
    );
    return;
  }
  const p = parsed.data;
  if (p.check_run.name !== CHECK_RUN_NAME) return;
  if (p.sender.type === "Bot") return;
  const identifier =
    p.action === "rerequested"
      ? BACKFILL_ACTION.identifier
      : (p.requested_action?.identifier ?? "");
  if (identifier !== BACKFILL_ACTION.identifier && identifier !== RETRY_ACTION.identifier) return;
  if (await deliverySeen(ctx.db, input.deliveryId)) return;

  const installationId = p.installation.id;
  const repo = { owner: p.repository.owner.login, repo: p.repository.name };
  const delivery = { deliveryId: input.deliveryId, event: "check_run", action: p.action };
  const record = () =>
    ctx.db.transaction((tx) =>
      recordDelivery(tx, {
        id: input.deliveryId,
        event: "check_run",
        action: p.action,
        installationId,
      }),
    );
  if (!(await mayCommand(input.octokit, repo, p.sender.login))) {
    ctx.log.info(
      { installationId, sender: p.sender.login },
      "check run action by a user without write permission ignored",
    );
    await record();
    return;
  }
  try {
    const result =
      identifier === RETRY_ACTION.identifier
        ? await ctx.engine.retryFailed(installationId, {
            source: "retry",
            requestedBy: p.sender.login,
            ...delivery,
          })
        : await ctx.engine.request({
            installationId,
            days: ctx.config.BACKFILL_DEFAULT_DAYS,
            source: "button",
            requestedBy: p.sender.login,
            ...delivery,
          });
    if (!result) {
      await record();
      ctx.log.info({ installationId }, "retry requested but the last run has no failures");
      return;
    }
    if (result.created) ctx.reporter.track(result.run);
    else if (result.duplicate) ctx.log.info({ installationId }, "duplicated delivery ignored");
    else ctx.log.info({ installationId, runId: result.run.id }, "a run is already active");
  } catch (err) {
    const text = requestErrorText(err);
    if (text === null) throw err;
    await record();
    ctx.log.warn({ installationId, reason: text }, "check run action refused");
  }
}
