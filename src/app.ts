import type { ApplicationFunction } from "probot";
import type { Engine } from "./backfill/types.js";
import type { Config } from "./config.js";
import type { Db } from "./db/index.js";
import { createEmbedHandler } from "./embed/index.js";
import type { RefreshRequests } from "./github/handle-live-figures.js";
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
  /** Live figures after `star` and `fork` webhooks; absent → those webhooks are ignored. */
  liveRefresh?: RefreshRequests;
  /** The clock schedules are read with (contract §7); tests pass their own. */
  now?: () => Date;
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
    addHandler(createEmbedHandler({ db: deps.db, log: app.log.child({ name: "embeds" }) }));
    const surfaces = registerSurfaces(app, deps);
    registerInstallationHandlers(app, {
      db: deps.db,
      engine: deps.engine,
      onRepositoriesAdded: (input) => surfaces.onRepositoriesAdded(input),
    });
    deps.onSurfaces?.(surfaces);
  };
}
