import { isExcluded, loadSettings } from "../schedules/index.js";
import type { RepositoriesAdded } from "./installation-handlers.js";
import { requestErrorText, type SurfaceContext } from "./surface-context.js";

/**
 * Contract §3 "Installation": new repositories are back-filled without being asked when
 * AUTO_BACKFILL_ON_INSTALL is on. The reporter creates the tracking issue and check run.
 */
export async function startAutoBackfill(
  ctx: SurfaceContext,
  input: RepositoriesAdded,
): Promise<void> {
  if (!ctx.config.AUTO_BACKFILL_ON_INSTALL) return;
  const { settings } = await loadSettings(ctx.db, input.installationId);
  // The settings file's `exclude` (contract §7): never back-filled by install either.
  const repositories = input.repositories.filter(
    (r) => !isExcluded(settings, `${r.owner}/${r.name}`),
  );
  if (repositories.length === 0) return;
  try {
    const result = await ctx.engine.request({
      installationId: input.installationId,
      days: ctx.config.BACKFILL_DEFAULT_DAYS,
      source: "installation",
      requestedBy: null,
      repositories: repositories.map((r) => ({
        owner: r.owner,
        name: r.name,
        repositoryId: r.id,
      })),
      // The installation handler recorded the delivery itself; a key of our own keeps the
      // run to one per delivery all the same.
      deliveryId: `${input.deliveryId}:auto-backfill`,
      event: input.source,
      action: "auto-backfill",
    });
    if (result.kind === "created") ctx.reporter.track(result.run);
    else if (result.kind === "active") {
      ctx.log.info(
        { installationId: input.installationId, runId: result.run.id },
        "new repositories not back-filled: a run is already active",
      );
    }
  } catch (err) {
    const text = requestErrorText(err);
    if (text === null) throw err;
    ctx.log.warn({ installationId: input.installationId, reason: text }, "auto back-fill refused");
  }
}
