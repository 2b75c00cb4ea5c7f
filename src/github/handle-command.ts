import type { RequestResult, RunSnapshot } from "../backfill/types.js";
import { recordDelivery } from "../workspaces/index.js";
import { listRepositories } from "../workspaces/index.js";
import { mayCommand } from "./check-permission.js";
import { deliverySeen } from "./delivery-seen.js";
import { escapeMarkdown } from "./escape-markdown.js";
import { createComment, createCommentReaction, type Octokit } from "./github-api.js";
import { commandHelp, isBackfillCommand, parseCommand } from "./parse-command.js";
import { type IssueCommentCreated, issueCommentCreated, labelNames } from "./payloads.js";
import { progressLine, runHeadline, runTable } from "./render-run.js";
import {
  activeRunReply,
  requestErrorText,
  type SurfaceContext,
  saveCommandOrigin,
  webBaseOf,
} from "./surface-context.js";
import { saveTrackingIssue, storedTrackingIssue, TRACKING_LABEL } from "./tracking-issue.js";

export interface WebhookInput {
  octokit: Octokit;
  deliveryId: string;
  payload: unknown;
}

/**
 * `issue_comment.created`: a `/backfill` command on a `workspace-backfill` issue (contract
 * §3). The answer waits only for the permission read and the database: the run request
 * (or the delivery) is recorded, then every GitHub write — 👀 first, then the reply — is
 * queued in the background. A failed 👀 is logged and loses nothing.
 */
export async function handleCommand(ctx: SurfaceContext, input: WebhookInput): Promise<void> {
  const parsed = issueCommentCreated.safeParse(input.payload);
  if (!parsed.success) {
    ctx.log.warn(
      { deliveryId: input.deliveryId, issues: parsed.error.issues.slice(0, 3) },
      "malformed issue_comment payload ignored",
    );
    return;
  }
  const p = parsed.data;
  const body = p.comment.body ?? "";
  // Bots (the app itself included) never command: our own replies come back as webhooks.
  if (p.sender.type === "Bot") return;
  if (!isBackfillCommand(body)) return;
  if (p.issue.pull_request) return;
  if (!labelNames(p.issue.labels).includes(TRACKING_LABEL)) return;
  if (await deliverySeen(ctx.db, input.deliveryId)) {
    ctx.log.info({ deliveryId: input.deliveryId }, "redelivered command ignored");
    return;
  }

  const { octokit } = input;
  const repo = { owner: p.repository.owner.login, repo: p.repository.name };
  const installationId = p.installation.id;
  // This command's writes, in order; the webhook's answer waits for none of them.
  const later = ctx.tasks.sequence();
  const reply = (text: string) =>
    later("reply", async () => {
      await createComment(octokit, repo, p.issue.number, text);
    });
  const record = () =>
    ctx.db.transaction((tx) =>
      recordDelivery(tx, {
        id: input.deliveryId,
        event: "issue_comment",
        action: "created",
        installationId,
      }),
    );

  if (!(await mayCommand(octokit, repo, p.sender.login))) {
    if (!(await record())) return;
    reply(
      `@${p.sender.login}, only people with write, maintain or admin permission on ${escapeMarkdown(`${repo.owner}/${repo.repo}`)} can run \`/backfill\`.`,
    );
    return;
  }

  // The engine announces a run as it creates it; its progress waits for this 👀.
  const release = ctx.reporter.holdWrites(installationId);
  let acknowledged = false;
  /** The command was heard (and is no duplicate): 👀, the first of its writes. */
  const acknowledge = () => {
    acknowledged = true;
    later("eyes", async () => {
      try {
        await createCommentReaction(octokit, repo, p.comment.id, "eyes");
      } catch (err) {
        ctx.log.warn(
          { err, installationId, commentId: p.comment.id },
          "could not add the 👀 reaction; the command is handled all the same",
        );
      } finally {
        release();
      }
    });
  };
  try {
    await answer(ctx, p, input.deliveryId, { acknowledge, reply, record });
  } finally {
    if (!acknowledged) release();
  }
}

interface Answer {
  acknowledge(): void;
  reply(text: string): void;
  record(): Promise<boolean>;
}

async function answer(
  ctx: SurfaceContext,
  p: IssueCommentCreated,
  deliveryId: string,
  { acknowledge, reply, record }: Answer,
) {
  const installationId = p.installation.id;
  const body = p.comment.body ?? "";
  /** The delivery recorded now (not by a twin delivery to another process): 👀 and `text`. */
  const answerOnce = async (text: string) => {
    if (!(await record())) return;
    acknowledge();
    reply(text);
  };

  // A command on a labelled issue adopts it as the tracking issue when there is none yet.
  if (!(await storedTrackingIssue(ctx.db, installationId))) {
    await saveTrackingIssue(ctx.db, installationId, p.repository.id, p.issue.number);
  }

  const options = {
    maxDays: ctx.config.BACKFILL_MAX_DAYS,
    defaultDays: ctx.config.BACKFILL_DEFAULT_DAYS,
  };
  const command = parseCommand(body, options);
  const webBase = webBaseOf(p.issue.html_url);
  const delivery = { deliveryId, event: "issue_comment", action: "created" };

  if (!command.ok) {
    await answerOnce(command.error);
    return;
  }
  const c = command.command;
  try {
    switch (c.kind) {
      case "help": {
        await answerOnce(`**\`/backfill\` commands**\n\n${commandHelp(options)}`);
        return;
      }
      case "status": {
        const run =
          (await ctx.engine.activeRun(installationId)) ??
          (await ctx.engine.lastRun(installationId));
        await answerOnce(
          run
            ? statusText(run)
            : "No back-fill has run in this workspace yet. Comment `/backfill` to start one.",
        );
        return;
      }
      case "cancel": {
        const run = await ctx.engine.cancel(installationId, p.sender.login);
        await answerOnce(
          run
            ? `Cancelled back-fill run #${run.id}: ${run.cancelled} ${run.cancelled === 1 ? "repository" : "repositories"} cancelled.`
            : "There is no active back-fill to cancel.",
        );
        return;
      }
      case "retry": {
        const result = await ctx.engine.retryFailed(installationId, {
          source: "retry",
          requestedBy: p.sender.login,
          ...delivery,
        });
        if (!result) {
          // The engine recorded the delivery with its answer; the pre-check caught redeliveries.
          await record();
          acknowledge();
          reply("The last back-fill has no failed repositories: there is nothing to retry.");
          return;
        }
        await started(ctx, p, webBase, result, acknowledge, reply);
        return;
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
            await answerOnce(
              outsideWorkspace(
                unknown,
                known.map((r) => r.fullName),
                c.days,
              ),
            );
            return;
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
          requestedBy: p.sender.login,
          ...(repositories ? { repositories } : {}),
          commandCommentId: p.comment.id,
          ...delivery,
        });
        await started(ctx, p, webBase, result, acknowledge, reply);
        return;
      }
    }
  } catch (err) {
    const text = requestErrorText(err);
    if (text === null) throw err;
    await answerOnce(escapeMarkdown(text));
  }
}

async function started(
  ctx: SurfaceContext,
  p: IssueCommentCreated,
  webBase: string,
  result: RequestResult,
  acknowledge: () => void,
  reply: (text: string) => void,
) {
  if (result.duplicate) {
    // The same delivery reached another process too, and it answers: nothing from here.
    ctx.log.info({ runId: result.run.id }, "duplicated command delivery ignored");
    return;
  }
  if (!result.created) {
    // The engine recorded the delivery with its answer; the pre-check caught redeliveries.
    acknowledge();
    reply(await activeRunReply(ctx, webBase, result.run));
    return;
  }
  acknowledge();
  await saveCommandOrigin(ctx.db, result.run.id, p.repository.id, p.comment.id);
  ctx.reporter.track({ ...result.run, commandCommentId: p.comment.id });
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
