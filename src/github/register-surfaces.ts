import type { Probot } from "probot";
import type { Engine } from "../backfill/types.js";
import type { Config } from "../config.js";
import type { Db } from "../db/index.js";

export interface RepositoriesAdded {
  installationId: number;
  repositories: { id: number; owner: string; name: string }[];
  deliveryId: string;
  source: "installation";
}

export interface Surfaces {
  /** Called by the installation handlers once the new repositories' rows are committed. */
  onRepositoriesAdded(input: RepositoriesAdded): Promise<void>;
  /** Resolves when every write started so far has settled (tests, shutdown). */
  idle(): Promise<void>;
  /** Stops the reporters' engine subscription. */
  stop(): void;
}

export interface SurfacesDeps {
  db: Db;
  config: Config;
  engine: Engine;
}

/** Registers the `/backfill` commands, dashboard and check-run handlers, starts the reporters. */
export function registerSurfaces(_app: Probot, _deps: SurfacesDeps): Surfaces {
  return {
    async onRepositoriesAdded() {},
    async idle() {},
    stop() {},
  };
}
