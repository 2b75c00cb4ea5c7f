/** The texts a repository's row ends with (contract §4), word for word. */
export const errorTexts = {
  missingKey: "Service unavailable: GH_DATPIPE_KEY is not configured",
  notFound: "Repository not found",
  triggerFailed: (reason: string) => `Failed to trigger backfill: ${reason}`,
  jobFailed: (error: string) => `Backfill job failed: ${error}`,
  timedOut: "Backfill job timed out",
} as const;
