import type { RunSnapshot } from "../backfill/types.js";
import { loadScheduleLines } from "./dashboard-schedule-lines.js";
import { getIssue, updateIssueBody } from "./issue-api.js";
import { loadDashboardRows } from "./load-dashboard-rows.js";
import { readDashboardSelection } from "./read-dashboard-selection.js";
import { renderDashboard } from "./render-dashboard.js";
import { progressLine } from "./render-run.js";
import type { TrackingDeps, TrackingIssue } from "./tracking-issue.js";

export interface DashboardRefresh {
  /** Repositories whose boxes this rewrite clears (lower-cased `owner/name`). */
  consumed?: Set<string>;
  /** Clear the `Backfill selected` box. */
  clearSelected?: boolean;
  run: RunSnapshot | null;
}

/**
 * Rewrites the dashboard from the database. The body is read again right before the write,
 * so boxes ticked meanwhile survive; nothing is written when nothing changed.
 */
export async function refreshDashboard(
  deps: TrackingDeps,
  installationId: number,
  tracking: TrackingIssue,
  refresh: DashboardRefresh,
): Promise<boolean> {
  return deps.lock(`dashboard:${installationId}`, async () => {
    const current = await getIssue(deps.octokit, tracking.repo, tracking.issueNumber);
    if (!current) return false;
    const selection = readDashboardSelection(current.body);
    const consumed = refresh.consumed ?? new Set<string>();
    const ticked = new Set(
      selection.repositories.map((r) => r.toLowerCase()).filter((r) => !consumed.has(r)),
    );
    const rows = await loadDashboardRows(deps.db, installationId);
    const body = renderDashboard({
      rows,
      ticked,
      backfillSelected: selection.backfillSelected && !refresh.clearSelected,
      runLine: refresh.run
        ? `Run #${refresh.run.id} (${refresh.run.status}): ${progressLine(refresh.run)}.`
        : null,
      publicUrl: deps.publicUrl,
      scheduleLines: await loadScheduleLines(deps.db, installationId, deps.config ?? {}),
    });
    if (body === current.body.replace(/\r\n/g, "\n")) return false;
    await updateIssueBody(deps.octokit, tracking.repo, tracking.issueNumber, body);
    return true;
  });
}
