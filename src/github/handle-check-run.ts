import { guardDelivery } from "./guard-delivery.js";
import { type CheckRunActionPayload, checkRunAction } from "./payloads.js";
import { BACKFILL_ACTION, CHECK_RUN_NAME, RETRY_ACTION } from "./report-check-run.js";

/** `rerequested` acts as `Backfill`; other apps' check runs and unknown buttons ask nothing. */
function identifierOf(p: CheckRunActionPayload): string | null {
  if (p.check_run.name !== CHECK_RUN_NAME) return null;
  const id =
    p.action === "rerequested" ? BACKFILL_ACTION.identifier : p.requested_action?.identifier;
  return id === BACKFILL_ACTION.identifier || id === RETRY_ACTION.identifier ? id : null;
}

/**
 * `check_run.requested_action` (the `Backfill` and `Retry failed` buttons) and
 * `check_run.rerequested` (acts as `Backfill`) on our `Workspace backfill` check run.
 */
export const handleCheckRun = guardDelivery(
  {
    event: "check_run",
    schema: checkRunAction,
    asks: (p) => identifierOf(p) !== null,
    async refused(ctx, d, text) {
      await d.record();
      ctx.log.warn({ installationId: d.installationId, reason: text }, "check run action refused");
    },
  },
  async (ctx, d) => {
    const requester = { requestedBy: d.sender, ...d.request };
    const result =
      identifierOf(d.payload) === RETRY_ACTION.identifier
        ? await ctx.engine.retryFailed(d.installationId, { source: "retry", ...requester })
        : await ctx.engine.request({
            installationId: d.installationId,
            days: ctx.config.BACKFILL_DEFAULT_DAYS,
            source: "button",
            ...requester,
          });
    const log = { installationId: d.installationId };
    if (result.kind === "nothing") {
      await d.record();
      ctx.log.info(log, "retry requested but the last run has no failures");
    } else if (result.kind === "created") ctx.reporter.track(result.run);
    else if (result.kind === "duplicate") ctx.log.info(log, "duplicated delivery ignored");
    else ctx.log.info({ ...log, runId: result.run.id }, "a run is already active");
  },
);
