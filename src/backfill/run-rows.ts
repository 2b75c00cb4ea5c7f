import type {
  DataSource,
  ItemSnapshot,
  ItemStatus,
  RunSnapshot,
  RunStatus,
  TriggerSource,
} from "./types.js";

/** `backfill_runs` as the engine's queries return it. */
export interface RunRow {
  id: number;
  installation_id: number;
  status: RunStatus;
  days: number;
  source: TriggerSource;
  requested_by: string | null;
  retry_of: number | null;
  paused: boolean;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  version: number;
  sources: DataSource[];
  full_history: boolean;
}

/** `backfill_items` as the engine's queries return it. */
export interface ItemRow {
  id: number;
  run_id: number;
  position: number;
  repository_id: number | null;
  owner: string;
  name: string;
  status: ItemStatus;
  job_id: string | null;
  progress: number | null;
  events_found: number | null;
  error: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  github_status: "completed" | "failed" | null;
  stars_found: number | null;
  forks_found: number | null;
  github_error: string | null;
}

export const RUN_COLUMNS = `id, installation_id, status, days, source, requested_by, retry_of, paused,
  created_at, started_at, finished_at, version, sources, full_history`;

export const ITEM_COLUMNS = `id, run_id, position, repository_id, owner, name, status, job_id, progress,
  events_found, error, started_at, finished_at, github_status, stars_found, forks_found, github_error`;

/** The same columns, qualified by a table alias. */
export const columnsOf = (columns: string, alias: string) =>
  columns
    .split(",")
    .map((c) => `${alias}.${c.trim()}`)
    .join(", ");

export function toItemSnapshot(row: ItemRow): ItemSnapshot {
  return {
    id: row.id,
    position: row.position,
    owner: row.owner,
    name: row.name,
    fullName: `${row.owner}/${row.name}`,
    repositoryId: row.repository_id,
    status: row.status,
    jobId: row.job_id,
    progress: row.progress,
    eventsFound: row.events_found,
    error: row.error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    github: row.github_status
      ? {
          status: row.github_status,
          stars: row.stars_found,
          forks: row.forks_found,
          error: row.github_error,
        }
      : null,
  };
}

/** Items must be in position order. Counts come from the items, which the snapshot holds anyway. */
export function toRunSnapshot(run: RunRow, items: ItemSnapshot[]): RunSnapshot {
  let completed = 0;
  let failed = 0;
  let cancelled = 0;
  for (const item of items) {
    if (item.status === "completed") completed++;
    else if (item.status === "failed") failed++;
    else if (item.status === "cancelled") cancelled++;
  }
  return {
    id: run.id,
    installationId: run.installation_id,
    status: run.status,
    days: run.days,
    fullHistory: run.full_history,
    sources: run.sources,
    source: run.source,
    requestedBy: run.requested_by,
    retryOf: run.retry_of,
    paused: run.paused,
    createdAt: run.created_at,
    startedAt: run.started_at,
    finishedAt: run.finished_at,
    done: completed + failed + cancelled,
    completed,
    failed,
    cancelled,
    total: items.length,
    items,
  };
}

const date = (v: unknown) => (v == null ? null : new Date(v as string));

/** Rows that came through `row_to_json` carry timestamps as text; snapshots promise Dates. */
export function reviveRun(run: RunRow): RunRow {
  return {
    ...run,
    created_at: new Date(run.created_at as unknown as string),
    started_at: date(run.started_at),
    finished_at: date(run.finished_at),
  };
}

export function reviveItem(item: ItemRow): ItemRow {
  return { ...item, started_at: date(item.started_at), finished_at: date(item.finished_at) };
}
