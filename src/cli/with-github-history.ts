import type { GitHubRequest } from "../history/index.js";
import type { EngineFactory } from "./backfill-command.js";

/**
 * The CLI's engine with GitHub as a source when this shell has the app's credentials
 * (`APP_ID` and `PRIVATE_KEY` or `PRIVATE_KEY_PATH`, as `npm start` reads them): reads go
 * through the installation of the run's workspace, like the server's. Without them the
 * engine has no GitHub reader and `auto` means gh-datapipe.
 */
export async function withGitHubHistory(
  env: NodeJS.ProcessEnv,
  createEngine: EngineFactory,
): Promise<EngineFactory> {
  if (!env.APP_ID || !(env.PRIVATE_KEY || env.PRIVATE_KEY_PATH)) return createEngine;
  const [{ createProbot }, { createHistoryReader }] = await Promise.all([
    import("probot"),
    import("../history/index.js"),
  ]);
  const probot = createProbot({ env });
  return (deps) =>
    createEngine({
      ...deps,
      history: createHistoryReader({
        db: deps.db,
        requestFor: async (installationId) =>
          (await probot.auth(installationId)).request as unknown as GitHubRequest,
        maxWaitMs: deps.config.BACKFILL_JOB_TIMEOUT_MS,
      }),
    });
}
