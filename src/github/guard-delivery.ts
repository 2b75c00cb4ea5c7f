import type { z } from "zod";
import { recordDelivery } from "../workspaces/index.js";
import { mayCommand } from "./check-permission.js";
import { deliverySeen } from "./delivery-seen.js";
import type { Octokit, Repo } from "./github-api.js";
import { requestErrorText, type SurfaceContext } from "./surface-context.js";

/** What Probot hands a surface handler. */
export interface WebhookInput {
  octokit: Octokit;
  deliveryId: string;
  payload: unknown;
}

/** The parts every guarded payload has (see `payloads.ts`). */
interface GuardedPayload {
  action: string;
  installation: { id: number };
  repository: { name: string; owner: { login: string } };
  sender: { login: string; type: string };
}

/** A delivery that passed the guard: well formed, from a person, new, with permission. */
export interface Delivery<P> {
  payload: P;
  octokit: Octokit;
  installationId: number;
  repo: Repo;
  sender: string;
  /** The delivery as a run request carries it: the engine records it with the run. */
  request: { deliveryId: string; event: string; action: string };
  /** Records the delivery when no run request does; false when another process did first. */
  record(): Promise<boolean>;
}

export interface DeliveryRule<P extends GuardedPayload> {
  /** The webhook event (`issue_comment`), as recorded and logged. */
  event: string;
  schema: z.ZodType<P>;
  /** After the bot check: whether the delivery asks anything of the app at all. */
  asks(payload: P): boolean;
  /** A sender without write, maintain or admin permission; by default logged and recorded. */
  denied?(ctx: SurfaceContext, delivery: Delivery<P>): Promise<void>;
  /** The engine refused the request (its text can be shown as it is). */
  refused(ctx: SurfaceContext, delivery: Delivery<P>, text: string): Promise<void>;
}

export type SurfaceHandler = (ctx: SurfaceContext, input: WebhookInput) => Promise<void>;

/**
 * The one opening of every command-like delivery (contract §3): parse, ignore bots (the
 * app's own writes come back as webhooks), ignore what asks nothing, ignore a delivery
 * handled before, check permission, then delegate; the engine's refusals are answered by
 * the rule, anything else is thrown to Probot.
 */
export function guardDelivery<P extends GuardedPayload>(
  rule: DeliveryRule<P>,
  handle: (ctx: SurfaceContext, delivery: Delivery<P>) => Promise<void>,
): SurfaceHandler {
  return async (ctx, input) => {
    const parsed = rule.schema.safeParse(input.payload);
    if (!parsed.success) {
      ctx.log.warn(
        { deliveryId: input.deliveryId, issues: parsed.error.issues.slice(0, 3) },
        `malformed ${rule.event} payload ignored`,
      );
      return;
    }
    const payload = parsed.data;
    if (payload.sender.type === "Bot") return;
    if (!rule.asks(payload)) return;
    if (await deliverySeen(ctx.db, input.deliveryId)) {
      ctx.log.info({ deliveryId: input.deliveryId }, `redelivered ${rule.event} ignored`);
      return;
    }
    const installationId = payload.installation.id;
    const request = { deliveryId: input.deliveryId, event: rule.event, action: payload.action };
    const delivery: Delivery<P> = {
      payload,
      octokit: input.octokit,
      installationId,
      repo: { owner: payload.repository.owner.login, repo: payload.repository.name },
      sender: payload.sender.login,
      request,
      record: () =>
        ctx.db.transaction((tx) =>
          recordDelivery(tx, { id: input.deliveryId, ...request, installationId }),
        ),
    };
    if (!(await mayCommand(delivery.octokit, delivery.repo, delivery.sender))) {
      if (rule.denied) return rule.denied(ctx, delivery);
      ctx.log.info(
        { installationId, sender: delivery.sender, event: rule.event },
        "request by a user without write permission ignored",
      );
      await delivery.record();
      return;
    }
    try {
      await handle(ctx, delivery);
    } catch (err) {
      const text = requestErrorText(err);
      if (text === null) throw err;
      await rule.refused(ctx, delivery, text);
    }
  };
}
