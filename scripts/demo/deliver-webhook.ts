import { randomUUID } from "node:crypto";
import { Webhooks } from "@octokit/webhooks";

/**
 * Sends a webhook as GitHub does: JSON body, `X-GitHub-Event`, a fresh `X-GitHub-Delivery`
 * and the HMAC `X-Hub-Signature-256`. Rejects unless the app answers 2xx.
 */
export async function deliverWebhook(options: {
  url: string;
  secret: string;
  event: string;
  payload: unknown;
}): Promise<string> {
  const body = JSON.stringify(options.payload);
  const delivery = randomUUID();
  const signature = await new Webhooks({ secret: options.secret }).sign(body);
  const response = await fetch(options.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/demo",
      "x-github-event": options.event,
      "x-github-delivery": delivery,
      "x-hub-signature-256": signature,
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) {
    throw new Error(
      `the app answered ${response.status} to the ${options.event} webhook: ${(await response.text()).slice(0, 200)}`,
    );
  }
  return delivery;
}
