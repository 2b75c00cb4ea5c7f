import { createComment, updateComment } from "./github-api.js";
import { claimReportId } from "./claim-report-id.js";
import { renderProgressComment } from "./render-run.js";
import type { ReportTarget } from "./report-target.js";

/** This process's view of a run's progress comment. */
export interface ProgressCommentState {
  /** null until this process has created or found the comment. */
  id: number | null;
  /** The body last written, so an unchanged one is not written again. */
  lastBody: string | null;
}

export const newProgressComment = (): ProgressCommentState => ({ id: null, lastBody: null });

/**
 * Creates the run's one progress comment or edits it. Another process may be reporting the
 * same run (or did before a restart): the claim makes one comment between them, and a
 * comment found stored is edited, never posted again.
 */
export async function reportProgressComment(
  target: ReportTarget,
  state: ProgressCommentState,
): Promise<void> {
  const { db, octokit, tracking, run } = target;
  const body = renderProgressComment(run, target.results);
  if (state.id === null) {
    const claimed = await claimReportId(db, run.id, "progressComment", async () => {
      const comment = await createComment(octokit, tracking.repo, tracking.issueNumber, body);
      return comment.id;
    });
    state.id = claimed.id!;
    if (!claimed.created) await updateComment(octokit, tracking.repo, state.id, body);
  } else if (body !== state.lastBody) {
    await updateComment(octokit, tracking.repo, state.id, body);
  }
  state.lastBody = body;
}
