import type { Logger } from "probot";
import type { Engine, RunSnapshot } from "../backfill/types.js";
import type { Config } from "../config.js";
import type { Db } from "../db/index.js";
import type { BackgroundTasks } from "./background-tasks.js";
import type { KeyedLock } from "./keyed-lock.js";
import type { RunReporter } from "./run-reporter.js";
import { readRunReport } from "./run-reports.js";
import { storedTrackingIssue } from "./tracking-issue.js";

/** What every surface handler is given. */
export interface SurfaceContext {
  db: Db;
  config: Config;
  engine: Engine;
  reporter: RunReporter;
  tasks: BackgroundTasks;
  lock: KeyedLock;
  log: Pick<Logger, "info" | "warn" | "error" | "debug">;
}

/** `https://github.com` (or the GHES host) from any of its issue URLs. */
export function webBaseOf(issueUrl: string): string {
  return issueUrl.split("/").slice(0, -4).join("/");
}

/** Where a run's progress can be read: its comment, else the tracking issue. */
export async function progressLink(
  ctx: SurfaceContext,
  webBase: string,
  run: RunSnapshot,
): Promise<string | null> {
  const tracking = await storedTrackingIssue(ctx.db, run.installationId);
  if (!tracking) return null;
  const issue = `${webBase}/${tracking.repo.owner}/${tracking.repo.repo}/issues/${tracking.issueNumber}`;
  const { progressCommentId } = await readRunReport(ctx.db, run.id);
  return progressCommentId ? `${issue}#issuecomment-${progressCommentId}` : issue;
}

export async function activeRunReply(
  ctx: SurfaceContext,
  webBase: string,
  run: RunSnapshot,
): Promise<string> {
  const link = await progressLink(ctx, webBase, run);
  const where = link ? `: follow it in [its progress comment](${link})` : "";
  return `A back-fill is already running in this workspace (run #${run.id}, ${run.done}/${run.total} done)${where}. Comment \`/backfill cancel\` to stop it, or ask again when it has finished.`;
}

/** The engine's refusals (unknown or uninstalled workspace…) are shown as they are. */
export function requestErrorText(err: unknown): string | null {
  if (err instanceof Error && err.name === "RunRequestError") return err.message;
  return null;
}
