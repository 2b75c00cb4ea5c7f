import type { Queryable } from "../db/index.js";
import { loadScheduleView, loadSettings, type WorkspaceSettings } from "../schedules/index.js";
import { escapeMarkdownCell as escapeMarkdown } from "../metrics/index.js";

/** `2026-12-07 06:00` in `timezone`. */
export function formatLocal(at: Date, timezone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone: timezone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

function describe(settings: WorkspaceSettings, config: DaysConfig): string {
  const what =
    settings.days === "all"
      ? "the whole history"
      : `${settings.days ?? config.BACKFILL_DEFAULT_DAYS ?? "BACKFILL_DEFAULT_DAYS"} days`;
  const which = settings.only_gaps
    ? "the repositories whose coverage has gaps"
    : "every repository";
  const excluded = settings.exclude?.length
    ? `, except ${settings.exclude.map((e) => escapeMarkdown(e)).join(", ")}`
    : "";
  return `${what} of ${which}${excluded}`;
}

type DaysConfig = { BACKFILL_DEFAULT_DAYS?: number };

/**
 * The dashboard's lines about `.github/workspace-backfill.yml` (contract §7): the schedule,
 * its next run, and the last due time when it was skipped because a run was active.
 */
export async function loadScheduleLines(
  db: Queryable,
  installationId: number,
  config: DaysConfig,
): Promise<string[]> {
  const { settings } = await loadSettings(db, installationId);
  if (!settings.schedule) return [];
  const zone = settings.timezone ?? "UTC";
  const view = await loadScheduleView(db, installationId);
  const next = view?.nextDueAt ? `${formatLocal(view.nextDueAt, zone)} ${zone}` : "none";
  const lines = [
    `**Schedule:** \`${settings.schedule}\` (${zone}): ${describe(settings, config)}. Next run: ${next}.`,
  ];
  if (view?.lastOutcome === "skipped" && view.skippedDueAt) {
    const active = view.skippedRunId ? `run #${view.skippedRunId} was active` : "a run was active";
    lines.push(
      `The scheduled run due ${formatLocal(view.skippedDueAt, zone)} ${zone} was skipped: ${active}.`,
    );
  }
  return lines;
}
