import { createHash } from "node:crypto";
import type { Logger, ProbotOctokit } from "probot";
import type { Config } from "../config.js";
import type { Db } from "../db/index.js";
import {
  claimBadVersion,
  parseWorkspaceSettings,
  releaseBadVersion,
  SETTINGS_PATH,
  type SettingsProblem,
  type SettingsSource,
  saveSettings,
  syncSchedule,
} from "../schedules/index.js";
import { listRepositories } from "../workspaces/index.js";
import { createComment, type Octokit, type Repo } from "./github-api.js";
import type { KeyedLock } from "./keyed-lock.js";
import {
  chooseTrackingRepository,
  ensureTrackingIssue,
  storedTrackingIssue,
} from "./tracking-issue.js";

/** An installation octokit: Probot's carries `config.get` (`@probot/octokit-plugin-config`). */
export type ConfigOctokit = Octokit & Pick<ProbotOctokit, "config">;

export interface SettingsDeps {
  db: Db;
  octokit: ConfigOctokit;
  config: Pick<Config, "BACKFILL_MAX_DAYS">;
  lock: KeyedLock;
  log: Pick<Logger, "info" | "warn">;
  now?: () => Date;
  /** Runs the answer to a bad file after the caller returns (a webhook must answer fast). */
  defer?: (name: string, fn: () => Promise<void>) => void;
}

export type SettingsRead =
  | { kind: "applied"; sources: SettingsSource[] }
  | { kind: "bad"; problems: SettingsProblem[]; answered: boolean }
  | { kind: "nowhere" };

/** Where the file is looked for: the tracking repository (then its owner's `.github`). */
export async function settingsRepository(db: Db, installationId: number): Promise<Repo | null> {
  const tracking = await storedTrackingIssue(db, installationId);
  if (tracking) return tracking.repo;
  const target = chooseTrackingRepository(await listRepositories(db, installationId));
  return target ? { owner: target.owner, repo: target.name } : null;
}

/**
 * Reads `.github/workspace-backfill.yml` as Probot's `context.config` does (the tracking
 * repository's, else the owner's `.github` repository's, `_extends` followed, lists joined
 * as its deep merge joins them), validates it and keeps it. A bad file is answered once per
 * version on the tracking issue, and the last good settings stay. GitHub being unreachable
 * throws: nothing is changed.
 */
export async function readWorkspaceSettings(
  deps: SettingsDeps,
  installationId: number,
): Promise<SettingsRead> {
  const repo = await settingsRepository(deps.db, installationId);
  if (!repo) return { kind: "nowhere" };
  let raw: unknown;
  let sources: SettingsSource[];
  let version: string;
  try {
    const { config, files } = await deps.octokit.config.get({
      ...repo,
      path: SETTINGS_PATH,
      defaults: mergeLikeContextConfig,
    });
    const found = files.filter((f) => f.config !== null);
    raw = found.length === 0 ? null : config;
    sources = files.map((f) => ({ owner: f.owner, repo: f.repo, path: f.path }));
    version = digest(files.map((f) => [f.owner, f.repo, f.path, f.config]));
  } catch (err) {
    // An HTTP error is GitHub's trouble, not the file's: keep everything as it is.
    if (typeof (err as { status?: unknown }).status === "number") throw err;
    const message = err instanceof Error ? err.message : String(err);
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : "";
    const problem = { key: "file", message: plainReason(message) };
    return answerBadFile(deps, installationId, repo, [problem], digest([message, cause]));
  }
  const parsed = parseWorkspaceSettings(raw, deps.config.BACKFILL_MAX_DAYS);
  if (!parsed.ok) return answerBadFile(deps, installationId, repo, parsed.problems, version);
  await saveSettings(deps.db, installationId, { settings: parsed.settings, version, sources });
  await syncSchedule(deps.db, installationId, parsed.settings, (deps.now ?? (() => new Date()))());
  return { kind: "applied", sources };
}

/** The plugin's message without its prefix: `(invalid YAML)`, a recursion in `_extends`… */
function plainReason(message: string): string {
  const text = message.replace(/^\[@probot\/octokit-plugin-config\]\s*/, "");
  return `could not be read: ${text}`;
}

function digest(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}

/**
 * `context.config`'s merge for this file's flat keys: a later file's value wins, and lists
 * (`exclude`) are joined, as deepmerge joins arrays.
 */
function mergeLikeContextConfig(configs: Record<string, unknown>[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const c of configs) {
    if (typeof c !== "object" || c === null || Array.isArray(c)) return c;
    for (const [key, value] of Object.entries(c)) {
      const before = merged[key];
      merged[key] = Array.isArray(before) && Array.isArray(value) ? [...before, ...value] : value;
    }
  }
  return merged;
}

async function answerBadFile(
  deps: SettingsDeps,
  installationId: number,
  repo: Repo,
  problems: SettingsProblem[],
  version: string,
): Promise<SettingsRead> {
  deps.log.warn(
    { installationId, keys: problems.map((p) => p.key) },
    "workspace settings file rejected",
  );
  if (!(await claimBadVersion(deps.db, installationId, version))) {
    return { kind: "bad", problems, answered: false };
  }
  const answer = async () => {
    try {
      const tracking = await ensureTrackingIssue(
        { db: deps.db, octokit: deps.octokit, lock: deps.lock, log: deps.log },
        installationId,
      );
      if (!tracking) return;
      const body = renderBadFile(repo, problems);
      await createComment(deps.octokit, tracking.repo, tracking.issueNumber, body);
    } catch (err) {
      // Not posted: the next read of the same version tries again.
      await releaseBadVersion(deps.db, installationId, version);
      throw err;
    }
  };
  if (deps.defer) deps.defer("answer a bad settings file", answer);
  else await answer();
  return { kind: "bad", problems, answered: true };
}

export function renderBadFile(repo: Repo, problems: SettingsProblem[]): string {
  return [
    `**\`${SETTINGS_PATH}\` was not applied** (read for ${repo.owner}/${repo.repo}): the settings in force stay the last good ones.`,
    "",
    ...problems.map((p) => `- \`${p.key}\`: ${p.message}`),
    "",
    "Every key is optional: `schedule` (cron, 5 fields), `timezone` (IANA name), `days` (a number or `all`), `only_gaps` (true or false), `exclude` (a list of `owner/name`).",
  ].join("\n");
}
