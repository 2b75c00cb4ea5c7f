import { createComment, createCommentReaction } from "./github-api.js";
import type { Delivery } from "./guard-delivery.js";
import type { IssueCommentCreated } from "./payloads.js";
import type { SurfaceContext } from "./surface-context.js";

/** A command's GitHub writes, queued in order (👀 first, then the reply): the webhook waits for none. */
export interface CommandWrites {
  /** 👀 on the command: it was heard (and is no duplicate). */
  acknowledge(): void;
  reply(text: string): void;
  /** Records the delivery (unless a twin delivery to another process did), then 👀 and `text`. */
  answerOnce(text: string): Promise<void>;
  /** Ends the hold on the installation's progress writes when no 👀 was queued. */
  done(): void;
}

/**
 * `holdProgress`: the engine announces a run as it creates it, and its progress must wait
 * for this command's 👀; the hold ends when the 👀 has been written (or failed), or at `done()`.
 */
export function commandWrites(
  ctx: SurfaceContext,
  d: Delivery<IssueCommentCreated>,
  { holdProgress }: { holdProgress: boolean },
): CommandWrites {
  const later = ctx.tasks.sequence();
  const release = holdProgress ? ctx.reporter.holdWrites(d.installationId) : () => {};
  const commentId = d.payload.comment.id;
  let acknowledged = false;
  const writes: CommandWrites = {
    acknowledge() {
      acknowledged = true;
      later("eyes", async () => {
        try {
          await createCommentReaction(d.octokit, d.repo, commentId, "eyes");
        } catch (err) {
          // A failed 👀 is logged and loses nothing.
          ctx.log.warn(
            { err, installationId: d.installationId, commentId },
            "could not add the 👀 reaction; the command is handled all the same",
          );
        } finally {
          release();
        }
      });
    },
    reply(text) {
      later("reply", async () => {
        await createComment(d.octokit, d.repo, d.payload.issue.number, text);
      });
    },
    async answerOnce(text) {
      if (!(await d.record())) return;
      writes.acknowledge();
      writes.reply(text);
    },
    done() {
      if (!acknowledged) release();
    },
  };
  return writes;
}
