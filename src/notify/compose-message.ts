import type { Queryable } from "../db/index.js";
import { formatChange, getWorkspaceMetrics } from "../metrics/index.js";
import type { Channel } from "./outbox-store.js";

/** What a run-end message says (contract §7), before a service's markup. */
export interface RunEnd {
  workspace: string;
  runId: number;
  source: string;
  requestedBy: string | null;
  status: string;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
  /** Stars per day over the last 30 days, and the change against the 30 days before. */
  starsPerDay: number | null;
  starsChange: string;
  /** The progress comment, else the tracking issue; null when neither exists. */
  link: string | null;
}

/** The figures of one ended run, read from the database when the message is first sent. */
export async function loadRunEnd(
  db: Queryable,
  runId: number,
  webBase: string,
): Promise<RunEnd | null> {
  const { rows } = await db.query<{
    installation_id: number;
    account_login: string;
    source: string;
    requested_by: string | null;
    status: string;
    progress_comment_id: number | null;
    tracking_issue_number: number | null;
    owner: string | null;
    name: string | null;
    completed: number;
    failed: number;
    cancelled: number;
    total: number;
  }>(
    `select r.installation_id, w.account_login, r.source, r.requested_by, r.status,
            rr.progress_comment_id, w.tracking_issue_number, t.owner, t.name,
            count(*) filter (where i.status = 'completed')::int as completed,
            count(*) filter (where i.status = 'failed')::int as failed,
            count(*) filter (where i.status = 'cancelled')::int as cancelled,
            count(i.id)::int as total
       from backfill_runs r
       join workspaces w on w.installation_id = r.installation_id
       left join workspace_repositories t
         on t.installation_id = w.installation_id and t.repository_id = w.tracking_repository_id
       left join run_reports rr on rr.run_id = r.id
       left join backfill_items i on i.run_id = r.id
      where r.id = $1::bigint
      group by r.id, w.installation_id, t.installation_id, t.repository_id, rr.run_id`,
    [runId],
  );
  const row = rows[0];
  if (!row) return null;
  const metrics = await getWorkspaceMetrics(db, Number(row.installation_id), {
    days: 30,
    uniqueActors: false,
  });
  let link: string | null = null;
  if (row.owner && row.name && row.tracking_issue_number !== null) {
    link = `${webBase}/${row.owner}/${row.name}/issues/${row.tracking_issue_number}`;
    if (row.progress_comment_id !== null) link += `#issuecomment-${row.progress_comment_id}`;
  }
  // A workspace without any event yet has no change to show (its totals may come back empty).
  const change = metrics?.stars.percentChange;
  return {
    workspace: row.account_login,
    runId,
    source: row.source,
    requestedBy: row.requested_by,
    status: row.status,
    completed: row.completed,
    failed: row.failed,
    cancelled: row.cancelled,
    total: row.total,
    starsPerDay: metrics ? metrics.stars.velocity : null,
    starsChange:
      typeof change === "number" && Number.isFinite(change) ? formatChange(change) : "n/a",
    link,
  };
}

/** Slack's mrkdwn needs `&`, `<` and `>` escaped; Discord's markdown its own specials. */
function escapeFor(channel: Channel, text: string): string {
  if (channel === "slack")
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return text.replace(/([\\*_~`|>[\]()])/g, "\\$1");
}

/**
 * One line a person reads in a channel: workspace, run, counts, the change in stars, and a
 * link to the progress comment.
 */
export function renderRunEnd(channel: Channel, end: RunEnd): string {
  const e = (t: string) => escapeFor(channel, t);
  const bold = (t: string) => (channel === "slack" ? `*${t}*` : `**${t}**`);
  const who = end.requestedBy ? ` requested by ${e(end.requestedBy)}` : "";
  const counts = [`${end.completed} completed`, `${end.failed} failed`];
  if (end.cancelled > 0) counts.push(`${end.cancelled} cancelled`);
  const stars =
    end.starsPerDay === null
      ? ""
      : ` Stars: ${end.starsPerDay.toFixed(2)}/day over 30 days, ${end.starsChange} against the 30 days before.`;
  const link = end.link
    ? channel === "slack"
      ? ` <${end.link}|Progress comment>`
      : ` [Progress comment](<${end.link}>)`
    : "";
  return `${bold(`Workspace backfill · ${e(end.workspace)}`)}: run #${end.runId} (${e(end.source)}${who}) ${end.status}: ${counts.join(", ")} of ${end.total}.${stars}${link}`;
}
