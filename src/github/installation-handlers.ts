import type { Probot } from "probot";
import type { Engine } from "../backfill/types.js";
import type { Db } from "../db/index.js";
import { syncWorkspace } from "../workspaces/index.js";

export interface RepositoriesAdded {
  installationId: number;
  repositories: { id: number; owner: string; name: string }[];
  deliveryId: string;
  source: "installation";
  /** `installation` (the app installed) or `installation_repositories` (repositories added). */
  event?: string;
}

export interface InstallationDeps {
  db: Db;
  engine: Pick<Engine, "pause" | "resume" | "endWorkspace">;
  /** Called once the new repositories are committed (auto back-fill lives there). */
  onRepositoriesAdded?: (input: RepositoriesAdded) => Promise<void>;
}

/**
 * Installations are workspaces (contract §3): these events keep the workspace rows right
 * and tell the engine when a workspace is suspended, resumed or gone.
 */
export function registerInstallationHandlers(app: Probot, deps: InstallationDeps): void {
  app.on(["installation", "installation_repositories", "repository"], async (context) => {
    const result = await syncWorkspace(deps.db, {
      deliveryId: context.id,
      event: context.name,
      payload: context.payload,
    });
    if (result.outcome !== "applied") {
      context.log.debug(
        {
          outcome: result.outcome,
          reason: result.outcome === "ignored" ? result.reason : undefined,
        },
        "workspace event skipped",
      );
      return;
    }
    const { installationId, action, added } = result;
    if (installationId === null) return;
    if (context.name === "installation") {
      if (action === "deleted") await deps.engine.endWorkspace(installationId);
      if (action === "suspend") await deps.engine.pause(installationId);
      if (action === "unsuspend") await deps.engine.resume(installationId);
    }
    if (added.length > 0 && deps.onRepositoriesAdded) {
      await deps.onRepositoriesAdded({
        installationId,
        repositories: added.map((r) => ({ id: r.repositoryId, owner: r.owner, name: r.name })),
        deliveryId: context.id,
        source: "installation",
        event: context.name,
      });
    }
  });
}
