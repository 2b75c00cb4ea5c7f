import type { RequestResult, RunSnapshot } from "../backfill/types.js";
import { listRepositories } from "../workspaces/index.js";
import { type CommandWrites, commandWrites } from "./command-writes.js";
import type { Delivery } from "./guard-delivery.js";
import { commandHelp, parseCommand } from "./parse-command.js";
import type { IssueCommentCreated } from "./payloads.js";
import { progressLine, runHeadline, runTable } from "./render-run.js";
import { saveCommandOrigin } from "./run-reports.js";
import { activeRunReply, type SurfaceContext, webBaseOf } from "./surface-context.js";
import { adoptTrackingIssue } from "./tracking-issue.js";

type Command = Delivery<IssueCommentCreated>;

/** A guarded `/backfill` command: parse it, ask the engine, queue the answer. */
export async function answerCommand(ctx: SurfaceContext, d: Command): Promise<void> {
  const writes = commandWrites(ctx, d, { holdProgress: true });
  try {
    await answer(ctx, d, writes);
  } finally {
    writes.done();
  }
}

async function answer(ctx: SurfaceContext, d: Command, writes: CommandWrites) {
  const { installationId, payload: p } = d;
  await adoptTrackingIssue(ctx.db, installationId, p.repository.id, p.issue.number);
  const options = {
    maxDays: ctx.config.BACKFILL_MAX_DAYS,
    defaultDays: ctx.config.BACKFILL_DEFAULT_DAYS,
  };
  const command = parseCommand(p.comment.body ?? "", options);
  if (!command.ok) return writes.answerOnce(command.error);
  const c = command.command;
  const requester = { requestedBy: d.sender, ...d.request };
  switch (c.kind) {
    case "help":
      return writes.answerOnce(`**\`/backfill\` commands**\n\n${commandHelp(options)}`);
    case "status": {
      const run =
        (await ctx.engine.activeRun(installationId)) ?? (await ctx.engine.lastRun(installationId));
      return writes.answerOnce(
        run
          ? statusText(run)
          : "No back-fill has run in this workspace yet. Comment `/backfill` to start one.",
      );
    }
    case "cancel": {
      const run = await ctx.engine.cancel(installationId, d.sender);
      return writes.answerOnce(
        run
          ? `Cancelled back-fill run #${run.id}: ${run.cancelled} ${run.cancelled === 1 ? "repository" : "repositories"} cancelled.`
          : "There is no active back-fill to cancel.",
      );
    }
    case "retry": {
      const result = await ctx.engine.retryFailed(installationId, {
        source: "retry",
        ...requester,
      });
      if (result.kind === "nothing") {
        // The engine recorded the delivery with its answer; the guard caught redeliveries.
        await d.record();
        writes.acknowledge();
        writes.reply("The last back-fill has no failed repositories: there is nothing to retry.");
        return;
      }
      return started(ctx, d, result, writes);
    }
    case "backfill": {
      let repositories: { owner: string; name: string; repositoryId: number }[] | undefined;
      if (c.repositories) {
        const known = await listRepositories(ctx.db, installationId);
        const byName = new Map(known.map((r) => [r.fullName.toLowerCase(), r]));
        const unknown = c.repositories.filter(
          (r) => !byName.has(`${r.owner}/${r.name}`.toLowerCase()),
        );
        if (unknown.length > 0) {
          const names = known.map((r) => r.fullName);
          return writes.answerOnce(outsideWorkspace(unknown, names, c.days));
        }
        repositories = c.repositories.map((r) => {
          const w = byName.get(`${r.owner}/${r.name}`.toLowerCase())!;
          return { owner: w.owner, name: w.name, repositoryId: w.repositoryId };
        });
      }
      const result = await ctx.engine.request({
        installationId,
        days: c.days,
        ...(c.fullHistory ? { fullHistory: true } : {}),
        source: "command",
        ...(repositories ? { repositories } : {}),
        ...requester,
      });
      return started(ctx, d, result, writes);
    }
  }
}

async function started(
  ctx: SurfaceContext,
  d: Command,
  result: RequestResult,
  writes: CommandWrites,
): Promise<void> {
  switch (result.kind) {
    case "duplicate":
      // The same delivery reached another process too, and it answers: nothing from here.
      ctx.log.info({ runId: result.run.id }, "duplicated command delivery ignored");
      return;
    case "active":
      // The engine recorded the delivery with its answer; the guard caught redeliveries.
      writes.acknowledge();
      writes.reply(await activeRunReply(ctx, webBaseOf(d.payload.issue.html_url), result.run));
      return;
    case "created":
      writes.acknowledge();
      // The run-end reaction goes on this comment: recorded before the reporter is told.
      await saveCommandOrigin(ctx.db, result.run.id, d.payload.repository.id, d.payload.comment.id);
      ctx.reporter.track(result.run);
  }
}

function statusText(run: RunSnapshot): string {
  return `**${runHeadline(run)}**\n\n${progressLine(run)}\n\n${runTable(run, 60_000)}`;
}

function outsideWorkspace(
  unknown: { owner: string; name: string }[],
  known: string[],
  days: number,
): string {
  const names = unknown.map((r) => `\`${r.owner}/${r.name}\``).join(", ");
  const shown = known
    .slice(0, 10)
    .map((n) => `\`${n}\``)
    .join(", ");
  const more = known.length > 10 ? ` and ${known.length - 10} more` : "";
  const example = known[0] ? ` e.g. \`/backfill ${days} ${known[0]}\`` : "";
  return `${names} ${unknown.length === 1 ? "is" : "are"} not in this workspace, so nothing was started. Name repositories of the workspace (${shown || "none yet"}${more}),${example}.`;
}
