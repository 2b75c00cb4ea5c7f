import { type ApplicationFunction, Probot, ProbotOctokit } from "probot";
import { testPrivateKey } from "../helpers/probot.js";

/**
 * A Probot with throttling and retries off for every octokit it makes. An object passed to
 * `ProbotOctokit.defaults` is overridden by the throttle options Probot gives installation
 * octokits (writes were spaced 1-3 s in tests); a function has the last word.
 */
export async function createSurfacesProbot(app: ApplicationFunction): Promise<Probot> {
  const probot = new Probot({
    appId: 123,
    privateKey: testPrivateKey(),
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      throttle: { enabled: false },
      retry: { enabled: false },
    })),
    log: undefined,
  });
  // No HTTP server here: extra routes (the metrics API) are accepted and not served.
  await probot.load(app, { cwd: process.cwd(), addHandler: () => {} });
  return probot;
}
