import { z } from "zod";

/** The parts of GitHub's payloads the surfaces read; anything else is ignored. */

const sender = z.object({ login: z.string().min(1), type: z.string() });
const installation = z.object({ id: z.number().int() });
const repository = z.object({
  id: z.number().int(),
  name: z.string().min(1),
  owner: z.object({ login: z.string().min(1) }),
});
const label = z.union([z.string(), z.object({ name: z.string() })]);
/** What every guarded delivery has besides its action (see `guard-delivery.ts`). */
const delivery = { installation, repository, sender };

export const issueCommentCreated = z.object({
  action: z.literal("created"),
  ...delivery,
  issue: z.object({
    number: z.number().int(),
    html_url: z.string(),
    labels: z.array(label).default([]),
    pull_request: z.unknown().optional(),
  }),
  comment: z.object({ id: z.number().int(), body: z.string().nullable().default("") }),
});
export type IssueCommentCreated = z.infer<typeof issueCommentCreated>;

export const issuesEdited = z.object({
  action: z.literal("edited"),
  ...delivery,
  issue: z.object({
    number: z.number().int(),
    html_url: z.string(),
    body: z.string().nullable().default(""),
    labels: z.array(label).default([]),
    state: z.string().optional(),
  }),
});
export type IssuesEdited = z.infer<typeof issuesEdited>;

export const checkRunAction = z.object({
  action: z.enum(["requested_action", "rerequested"]),
  ...delivery,
  check_run: z.object({ id: z.number().int(), name: z.string() }),
  requested_action: z.object({ identifier: z.string() }).nullish(),
});
export type CheckRunActionPayload = z.infer<typeof checkRunAction>;

export function labelNames(labels: z.infer<typeof label>[]): string[] {
  return labels.map((l) => (typeof l === "string" ? l : l.name));
}
