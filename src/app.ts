import type { ApplicationFunction } from "probot";
import type { Engine } from "./backfill/types.js";
import type { Config } from "./config.js";
import type { Db } from "./db/index.js";
import {
  registerInstallationHandlers,
  registerSurfaces,
  type Surfaces,
} from "./github/register-surfaces.js";
import { createMetricsHandler } from "./metrics/index.js";

export interface AppDeps {
  db: Db;
  config: Config;
  engine: Engine;
  /** Receives the GitHub surfaces once registered (shutdown, tests). */
  onSurfaces?: (surfaces: Surfaces) => void;
}

/** Wiring only: which events go where. */
export function createApp(deps: AppDeps): ApplicationFunction {
  return (app, { addHandler }) => {
    addHandler(
      createMetricsHandler({
        db: deps.db,
        token: deps.config.METRICS_API_TOKEN,
        log: app.log.child({ name: "metrics-api" }),
      }),
    );
    const surfaces = registerSurfaces(app, deps);
    registerInstallationHandlers(app, {
      db: deps.db,
      engine: deps.engine,
      onRepositoriesAdded: (input) => surfaces.onRepositoriesAdded(input),
    });
    deps.onSurfaces?.(surfaces);
  };
}
