import { answerCommand } from "./answer-command.js";
import { commandWrites } from "./command-writes.js";
import { escapeMarkdownCell as escapeMarkdown } from "../metrics/index.js";
import { guardDelivery } from "./guard-delivery.js";
import { isBackfillCommand } from "./parse-command.js";
import { issueCommentCreated, labelNames } from "./payloads.js";
import { TRACKING_LABEL } from "./tracking-issue.js";

/**
 * `issue_comment.created`: a `/backfill` command on a `workspace-backfill` issue (contract
 * §3). The answer waits only for the permission read and the database: the run request
 * (or the delivery) is recorded, then every GitHub write — 👀 first, then the reply — is
 * queued in the background.
 */
export const handleCommand = guardDelivery(
  {
    event: "issue_comment",
    schema: issueCommentCreated,
    asks: (p) =>
      isBackfillCommand(p.comment.body ?? "") &&
      !p.issue.pull_request &&
      labelNames(p.issue.labels).includes(TRACKING_LABEL),
    async denied(ctx, d) {
      if (!(await d.record())) return;
      commandWrites(ctx, d, { holdProgress: false }).reply(
        `@${d.sender}, only people with write, maintain or admin permission on ${escapeMarkdown(`${d.repo.owner}/${d.repo.repo}`)} can run \`/backfill\`.`,
      );
    },
    async refused(ctx, d, text) {
      await commandWrites(ctx, d, { holdProgress: false }).answerOnce(escapeMarkdown(text));
    },
  },
  answerCommand,
);
