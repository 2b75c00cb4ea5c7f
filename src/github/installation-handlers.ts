import type { Logger } from "probot";
import type { Engine } from "../backfill/types.js";
import type { Db } from "../db/index.js";
import { syncWorkspace } from "../workspaces/index.js";

/** New repositories of a workspace, once their rows are committed (auto back-fill starts here). */
export interface RepositoriesAdded {
  installationId: number;
  repositories: { id: number; owner: string; name: string }[];
  deliveryId: string;
  source: "installation";
  /** `installation` (the app installed: its settings file is read) or `installation_repositories`. */
  event?: string;
}

export interface InstallationDeps {
  db: Db;
  engine: Pick<Engine, "pause" | "resume" | "endWorkspace">;
  /** Called once the new repositories are committed (auto back-fill lives there). */
  onRepositoriesAdded?: (input: RepositoriesAdded) => Promise<void>;
}

export interface InstallationEvent {
  deliveryId: string;
  /** `installation`, `installation_repositories` or `repository`. */
  event: string;
  payload: unknown;
  log: Pick<Logger, "debug">;
}

/**
 * Installations are workspaces (contract §3): these events keep the workspace rows right
 * and tell the engine when a workspace is suspended, resumed or gone.
 */
export async function handleInstallationEvent(
  deps: InstallationDeps,
  input: InstallationEvent,
): Promise<void> {
  const result = await syncWorkspace(deps.db, input);
  if (result.outcome !== "applied") {
    input.log.debug(
      { outcome: result.outcome, reason: result.outcome === "ignored" ? result.reason : undefined },
      "workspace event skipped",
    );
    return;
  }
  const { installationId, action, added } = result;
  if (installationId === null) return;
  if (input.event === "installation") {
    if (action === "deleted") await deps.engine.endWorkspace(installationId);
    if (action === "suspend") await deps.engine.pause(installationId);
    if (action === "unsuspend") await deps.engine.resume(installationId);
  }
  if (added.length > 0 && deps.onRepositoriesAdded) {
    await deps.onRepositoriesAdded({
      installationId,
      repositories: added.map((r) => ({ id: r.repositoryId, owner: r.owner, name: r.name })),
      deliveryId: input.deliveryId,
      source: "installation",
      event: input.event,
    });
  }
}
