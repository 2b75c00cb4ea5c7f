import { backfillSelected } from "./backfill-selected.js";
import { guardDelivery } from "./guard-delivery.js";
import { issuesEdited, labelNames } from "./payloads.js";
import { readDashboardSelection } from "./read-dashboard-selection.js";
import { TRACKING_LABEL } from "./tracking-issue.js";

/**
 * `issues.edited` on the dashboard: `Backfill selected` ticked by someone with write
 * permission starts a run of the ticked repositories, then the boxes are cleared.
 */
export const handleDashboardEdit = guardDelivery(
  {
    event: "issues",
    schema: issuesEdited,
    // Our own rewrites come back as `issues.edited` (from a bot: never commands).
    asks: (p) =>
      labelNames(p.issue.labels).includes(TRACKING_LABEL) &&
      (!p.issue.state || p.issue.state === "open") &&
      readDashboardSelection(p.issue.body ?? "").backfillSelected,
    async refused(ctx, d, text) {
      ctx.log.warn(
        { installationId: d.installationId, reason: text },
        "dashboard selection refused",
      );
    },
  },
  backfillSelected,
);
