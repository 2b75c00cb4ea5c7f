import type { Queryable } from "../db/index.js";
import { getWorkspaceMetrics } from "../metrics/index.js";

export interface DashboardRow {
  repositoryId: number;
  owner: string;
  name: string;
  fullName: string;
  /** GitHub's flag; only rows known to be public show embed Markdown. */
  private?: boolean;
  /** Status of the repository's item in the latest run that included it. */
  status: string | null;
  lastBackfillAt: Date | null;
  events90: number;
  /** Days out of the last 90 with at least one event. */
  daysWithEvents: number;
  /**
   * Coverage has gaps (the metrics' `needsBackfill`: no data in the previous 30 days, or a
   * gap over 7 days), so velocity against the previous 30 days is not yet sound.
   */
  needsBackfill?: boolean;
}

/**
 * One row per workspace repository, in GitHub's order. Events are matched case-insensitively
 * (gh-datapipe may spell owner and name differently): `github_events_of_repository` reads
 * each spelling seen through gh-datapipe's own index (migrations/0013).
 */
export async function loadDashboardRows(
  db: Queryable,
  installationId: number,
): Promise<DashboardRow[]> {
  const { rows } = await db.query<{
    repository_id: number;
    owner: string;
    name: string;
    private: boolean;
    status: string | null;
    last_backfill_at: Date | null;
    events_90: number;
    days_with_events: number;
  }>(
    `select w.repository_id, w.owner, w.name, w.private, latest.status, done.last_backfill_at,
            coalesce(ev.events_90, 0) as events_90, coalesce(ev.days_with_events, 0) as days_with_events
       from workspace_repositories w
       left join lateral (
         select i.status
           from backfill_items i
           join backfill_runs r on r.id = i.run_id
          where r.installation_id = w.installation_id
            and lower(i.owner) = lower(w.owner) and lower(i.name) = lower(w.name)
          order by i.run_id desc
          limit 1
       ) latest on true
       left join lateral (
         select max(i.finished_at) as last_backfill_at
           from backfill_items i
           join backfill_runs r on r.id = i.run_id
          where r.installation_id = w.installation_id
            and lower(i.owner) = lower(w.owner) and lower(i.name) = lower(w.name)
            and i.status = 'completed'
       ) done on true
       left join lateral (
         select count(*)::int as events_90,
                count(distinct date_trunc('day', e.created_at, 'UTC'))::int as days_with_events
           from github_events_of_repository(w.owner, w.name, now() - interval '90 days') e
       ) ev on true
      where w.installation_id = $1::bigint
      order by w.position`,
    [installationId],
  );
  // The same judgement as the metrics API and `workspace-backfill coverage`, over 2 × 30 days.
  const metrics = await getWorkspaceMetrics(db, installationId, { days: 30, uniqueActors: false });
  const gaps = new Map(
    (metrics?.coverage ?? []).map((c) => [c.repository.toLowerCase(), c.needsBackfill]),
  );
  return rows.map((r) => ({
    repositoryId: r.repository_id,
    owner: r.owner,
    name: r.name,
    fullName: `${r.owner}/${r.name}`,
    private: r.private,
    status: r.status,
    lastBackfillAt: r.last_backfill_at ? new Date(r.last_backfill_at) : null,
    events90: r.events_90,
    daysWithEvents: r.days_with_events,
    needsBackfill: gaps.get(`${r.owner}/${r.name}`.toLowerCase()) ?? true,
  }));
}
