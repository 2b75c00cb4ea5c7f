import { loadSettings, SETTINGS_PATH, type SettingsSource } from "../schedules/index.js";
import {
  type ConfigOctokit,
  readWorkspaceSettings,
  settingsRepository,
} from "./read-workspace-settings.js";
import type { SurfaceContext } from "./surface-context.js";
import { refreshDashboard } from "./refresh-dashboard.js";
import { storedTrackingIssue } from "./tracking-issue.js";

/** The parts of a `push` payload read here. */
export interface PushPayload {
  ref: string;
  installation?: { id: number } | null;
  repository: {
    name: string;
    owner: { login?: string; name?: string | null } | null;
    default_branch?: string;
  };
  commits?: { added?: string[]; removed?: string[]; modified?: string[] }[];
}

/** A push webhook lists at most 2,048 commits; a longer push may hide the file: read it. */
const LISTED_COMMITS = 2_048;

/**
 * Contract §7: a push to the default branch that changes the settings file (in the tracking
 * repository, its owner's `.github` or a file it `_extends`) reads it again. The read and
 * any answer run after the delivery is acknowledged.
 */
export async function handleSettingsPush(
  ctx: SurfaceContext,
  input: { octokit: ConfigOctokit; payload: PushPayload; now: () => Date },
): Promise<void> {
  const { payload } = input;
  const installationId = payload.installation?.id;
  const owner = payload.repository.owner?.login ?? payload.repository.owner?.name;
  if (!installationId || !owner) return;
  if (payload.ref !== `refs/heads/${payload.repository.default_branch}`) return;
  const sources = await watchedFiles(ctx, installationId);
  const here = sources.filter(
    (s) =>
      s.owner.toLowerCase() === owner.toLowerCase() &&
      s.repo.toLowerCase() === payload.repository.name.toLowerCase(),
  );
  if (here.length === 0) return;
  const commits = payload.commits ?? [];
  const touched =
    commits.length >= LISTED_COMMITS || commits.length === 0
      ? true
      : commits.some((c) =>
          [...(c.added ?? []), ...(c.removed ?? []), ...(c.modified ?? [])].some((path) =>
            here.some((s) => s.path === path),
          ),
        );
  if (!touched) return;
  ctx.tasks.run("read settings after a push", async () => {
    const read = await readWorkspaceSettings(
      {
        db: ctx.db,
        octokit: input.octokit,
        config: ctx.config,
        lock: ctx.lock,
        log: ctx.log,
        now: input.now,
      },
      installationId,
    );
    if (read.kind !== "applied") return;
    // The dashboard shows the schedule and its next run: show the new one now.
    const tracking = await storedTrackingIssue(ctx.db, installationId);
    if (!tracking) return;
    const deps = {
      db: ctx.db,
      octokit: input.octokit,
      lock: ctx.lock,
      log: ctx.log,
      config: ctx.config,
    };
    await refreshDashboard(deps, installationId, tracking, {
      run: await ctx.engine.lastRun(installationId),
    });
  });
}

/** The files last read, and always the two places the file is looked for first. */
async function watchedFiles(
  ctx: SurfaceContext,
  installationId: number,
): Promise<SettingsSource[]> {
  const repo = await settingsRepository(ctx.db, installationId);
  const stored = await loadSettings(ctx.db, installationId);
  if (!repo) return stored.sources;
  return [
    ...stored.sources,
    { owner: repo.owner, repo: repo.repo, path: SETTINGS_PATH },
    { owner: repo.owner, repo: ".github", path: SETTINGS_PATH },
  ];
}
