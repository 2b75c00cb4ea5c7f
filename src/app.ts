import type { ApplicationFunction } from "probot";
import type { Engine } from "./backfill/types.js";
import type { Config } from "./config.js";
import type { Db } from "./db/index.js";
import { registerInstallationHandlers } from "./github/installation-handlers.js";

export interface AppDeps {
  db: Db;
  config: Config;
  engine: Engine;
}

/** Wiring only: which events go where. */
export function createApp(deps: AppDeps): ApplicationFunction {
  return (app) => {
    registerInstallationHandlers(app, { db: deps.db, engine: deps.engine });
  };
}
