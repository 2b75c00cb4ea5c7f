import type { Queryable } from "../../src/db/index.js";
import { foldMetrics } from "../../src/metrics/fold-metrics.js";

export interface TestEvent {
  id: string;
  type?: string;
  actor?: string | null;
  owner?: string;
  name?: string;
  at: string;
}

/** Inserts events in one statement, as gh-datapipe does: duplicates are skipped. */
export async function insertEvents(db: Queryable, events: TestEvent[]): Promise<number> {
  const { rowCount } = await db.query(
    `insert into github_events_cache
       (event_id, event_type, actor_login, repository_owner, repository_name, payload, created_at)
     select id, type, actor, owner, name, '{}'::jsonb, at
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
         as e (id, type, actor, owner, name, at)
     on conflict (event_id) do nothing`,
    [
      events.map((e) => e.id),
      events.map((e) => e.type ?? "WatchEvent"),
      events.map((e) => (e.actor === undefined ? `user-${e.id}` : e.actor)),
      events.map((e) => e.owner ?? "octo"),
      events.map((e) => e.name ?? "a"),
      events.map((e) => e.at),
    ],
  );
  return rowCount;
}

export async function addWorkspace(
  db: Queryable,
  installationId: number,
  repositories: { owner: string; name: string; stars?: number | null; forks?: number | null }[],
): Promise<void> {
  await db.query(
    `insert into workspaces (installation_id, account_login) values ($1::bigint, 'octo')`,
    [installationId],
  );
  let id = installationId * 1000;
  for (const r of repositories) {
    id += 1;
    await db.query(
      `insert into workspace_repositories
         (installation_id, repository_id, owner, name, stargazers_count, forks_count)
       values ($1::bigint, $2::bigint, $3::text, $4::text, $5::int, $6::int)`,
      [installationId, id, r.owner, r.name, r.stars ?? null, r.forks ?? null],
    );
  }
}

const DAY = 86_400_000;

/** The instant `days` days (fractions allowed) before `from`, ISO. */
export function daysBefore(from: string, days: number, ms = 0): string {
  return new Date(Date.parse(from) - days * DAY + ms).toISOString();
}

/** GitHub's own figures of one repository, as src/history writes them (contract §4b, §5). */
export interface TestHistory {
  owner: string;
  name: string;
  stars?: { from: string; to: string } | null;
  forks?: { from: string; to: string } | null;
  days: { day: string; stars: number; forks: number }[];
}

/** Writes github_history_coverage and github_daily_counts rows directly (keys lower-cased). */
export async function insertHistory(db: Queryable, h: TestHistory): Promise<void> {
  const owner = h.owner.toLowerCase();
  const name = h.name.toLowerCase();
  await db.query(
    `insert into github_history_coverage
       (owner_key, name_key, stars_from, stars_to, stars_read_at, forks_from, forks_to, forks_read_at)
     values ($1::text, $2::text, $3::date, $4::date, now(), $5::date, $6::date, now())`,
    [
      owner,
      name,
      h.stars?.from ?? null,
      h.stars?.to ?? null,
      h.forks?.from ?? null,
      h.forks?.to ?? null,
    ],
  );
  if (h.days.length === 0) return;
  await db.query(
    `insert into github_daily_counts (owner_key, name_key, day, stars, forks)
     select $1::text, $2::text, d, s, f
       from unnest($3::date[], $4::int[], $5::int[]) as x (d, s, f)`,
    [owner, name, h.days.map((d) => d.day), h.days.map((d) => d.stars), h.days.map((d) => d.forks)],
  );
}

/**
 * Folds until `rows` rows are in the rollups (at most 50 rounds). The fold of migrations
 * before 0024 could stop short of a transaction of another database that ended while it
 * looked, and a test run shares its server with other tests' databases.
 */
export async function foldRows(db: Queryable, rows: number): Promise<number> {
  let folded = 0;
  for (let round = 0; round < 50 && folded < rows; round++) folded += await foldMetrics(db);
  return folded;
}
