import type { Queryable } from "../db/index.js";
import type { WorkspaceSettings } from "./workspace-settings.js";

/** A file the settings were read from (the tracking repository's, the org's, an `_extends`). */
export interface SettingsSource {
  owner: string;
  repo: string;
  path: string;
}

export interface StoredSettings {
  settings: WorkspaceSettings;
  version: string | null;
  sources: SettingsSource[];
  readAt: Date | null;
}

/** The workspace's last good settings; `{}` (every default) when none were read yet. */
export async function loadSettings(db: Queryable, installationId: number): Promise<StoredSettings> {
  const { rows } = await db.query<{
    settings: WorkspaceSettings;
    version: string | null;
    sources: SettingsSource[];
    read_at: Date | null;
  }>(
    `select settings, version, sources, read_at from workspace_settings
      where installation_id = $1::bigint`,
    [installationId],
  );
  const row = rows[0];
  if (!row) return { settings: {}, version: null, sources: [], readAt: null };
  return {
    settings: row.settings,
    version: row.version,
    sources: row.sources,
    readAt: row.read_at ? new Date(row.read_at) : null,
  };
}

/**
 * Keeps good settings (this module is the only writer of `workspace_settings`). A later bad
 * file is a new version, answered again even when it repeats an earlier mistake.
 */
export async function saveSettings(
  db: Queryable,
  installationId: number,
  stored: { settings: WorkspaceSettings; version: string; sources: SettingsSource[] },
): Promise<void> {
  await db.query(
    `insert into workspace_settings (installation_id, settings, version, sources, read_at)
     values ($1::bigint, $2::jsonb, $3::text, $4::jsonb, now())
     on conflict (installation_id) do update
       set settings = excluded.settings, version = excluded.version, sources = excluded.sources,
           read_at = excluded.read_at, bad_version = null, updated_at = now()`,
    [
      installationId,
      JSON.stringify(stored.settings),
      stored.version,
      JSON.stringify(stored.sources),
    ],
  );
}

/**
 * True for the one caller that may answer this bad version on the tracking issue: the
 * claim lands once per version across replicas. The last good settings stay as they are.
 */
export async function claimBadVersion(
  db: Queryable,
  installationId: number,
  version: string,
): Promise<boolean> {
  const { rows } = await db.query(
    `insert into workspace_settings (installation_id, bad_version) values ($1::bigint, $2::text)
     on conflict (installation_id) do update
       set bad_version = excluded.bad_version, updated_at = now()
       where workspace_settings.bad_version is distinct from excluded.bad_version
     returning installation_id`,
    [installationId, version],
  );
  return rows.length === 1;
}

/** Gives the claim back when the answer could not be posted, so a later read tries again. */
export async function releaseBadVersion(
  db: Queryable,
  installationId: number,
  version: string,
): Promise<void> {
  await db.query(
    `update workspace_settings set bad_version = null
      where installation_id = $1::bigint and bad_version = $2::text`,
    [installationId, version],
  );
}
