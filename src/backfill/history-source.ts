import { type BackfillSources, backfillSources, type Config } from "../config.js";
import type { DataSource } from "./types.js";

/**
 * What the engine needs from GitHub as a source (contract §4b): read and store one
 * repository's stars and forks, resolving with what arrived over the window. The engine
 * knows no Octokit; the app wires an installation-authenticated reader in.
 */
export interface HistorySource {
  read(
    installationId: number,
    repo: { owner: string; name: string },
    window: { days: number; all: boolean },
    signal?: AbortSignal,
  ): Promise<{ stars: number; forks: number }>;
}

/** A read that cannot succeed; its message is the row's text (`GitHub history unavailable: …`). */
export const isHistoryFailure = (err: unknown): err is Error =>
  err instanceof Error && err.name === "HistoryError";

/** The row's text when the process has no GitHub App to read with (a CLI without APP_ID). */
export const NO_GITHUB_APP =
  "GitHub history unavailable: no GitHub App credentials (APP_ID and PRIVATE_KEY) in this process";

/**
 * The sources of a run requested now. An engine configured without `BACKFILL_SOURCE`
 * (embedders and tests from before GitHub was a source) reads gh-datapipe only. So does
 * `auto` in a process with no GitHub App to read with (the CLI without APP_ID): GitHub
 * was not asked for by name there. Asked for by name (`github`, `both`), it stays, and
 * the row says why it could not be read.
 */
export function runSources(
  config: Partial<Pick<Config, "BACKFILL_SOURCE" | "GH_DATPIPE_KEY">>,
  canReadGitHub: boolean,
): DataSource[] {
  if (config.BACKFILL_SOURCE === undefined) return ["datapipe"];
  if (config.BACKFILL_SOURCE === "auto" && !canReadGitHub) return ["datapipe"];
  const chosen: BackfillSources = backfillSources({
    BACKFILL_SOURCE: config.BACKFILL_SOURCE,
    GH_DATPIPE_KEY: config.GH_DATPIPE_KEY,
  });
  const sources: DataSource[] = [];
  if (chosen.github) sources.push("github");
  if (chosen.datapipe) sources.push("datapipe");
  return sources;
}
