import type { Logger } from "probot";
import { z } from "zod";
import { backfillSources, type Config } from "../config.js";

/** The part of the live refresh a webhook uses: record the ask, nothing more. */
export interface RefreshRequests {
  request(request: { installationId: number; owner: string; name: string }): Promise<boolean>;
}

export interface LiveFiguresDeps {
  config: Pick<Config, "BACKFILL_SOURCE" | "GH_DATPIPE_KEY">;
  refresh: RefreshRequests | undefined;
  log: Pick<Logger, "debug" | "warn">;
}

const starOrFork = z.object({
  installation: z.object({ id: z.number().int() }),
  repository: z.object({ name: z.string().min(1), owner: z.object({ login: z.string().min(1) }) }),
});

/**
 * Live figures (contract §3): `star` (`created`, `deleted`) and `fork` webhooks on a
 * workspace repository ask for its newest GitHub figures to be read again, when GitHub is a
 * source. Only the ask is recorded (one row per repository, however many arrive); the
 * read happens in the refresh loop. No comment, no check run, no run.
 */
export async function handleLiveFigures(
  deps: LiveFiguresDeps,
  input: { deliveryId: string; payload: unknown },
): Promise<void> {
  if (!deps.refresh || !backfillSources(deps.config).github) return;
  const parsed = starOrFork.safeParse(input.payload);
  if (!parsed.success) {
    deps.log.warn({ deliveryId: input.deliveryId }, "malformed star or fork payload ignored");
    return;
  }
  const { installation, repository } = parsed.data;
  const recorded = await deps.refresh.request({
    installationId: installation.id,
    owner: repository.owner.login,
    name: repository.name,
  });
  if (!recorded) {
    deps.log.debug({ deliveryId: input.deliveryId }, "star or fork outside any workspace ignored");
  }
}
