import { z } from "zod";

/** What gh-datapipe answers (contract §4), validated before anything reads it. */
export const triggerAnswer = z.object({
  job_id: z.union([z.string().min(1), z.number()]).transform(String),
  status: z.string().optional(),
});

export const statusAnswer = z.object({
  status: z.enum(["queued", "running", "completed", "failed", "cancelled"]),
  progress: z.number().min(0).max(100).nullish(),
  error: z.string().nullish(),
});

type CallErrorKind = "transient" | "not-found" | "rejected";

/** One failed call, before it becomes the text a user sees. */
export class CallError extends Error {
  constructor(
    readonly kind: CallErrorKind,
    readonly reason: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(reason);
  }
}
