import { parseRetryAfter } from "../shared/parse-retry-after.js";
import type { Channel } from "./outbox-store.js";

/**
 * A failed post, described without the URL: a webhook URL is a secret (its path is the
 * credential), so neither the message nor any cause mentions it.
 */
export class HookError extends Error {
  override name = "HookError";
  constructor(
    message: string,
    /** 5xx, 429, a timeout or an unreachable host: worth trying again. */
    readonly retryable: boolean,
    /** From a 429's `Retry-After`, when given. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

export type Fetch = typeof fetch;

/** The JSON each service's incoming webhook takes. */
export function hookBody(channel: Channel, message: string): unknown {
  // Discord: no pings whatever the text holds.
  return channel === "slack"
    ? { text: message }
    : { content: message, allowed_mentions: { parse: [] } };
}

/** Posts one message; resolves on 2xx, throws a `HookError` otherwise. */
export async function postHook(
  fetchFn: Fetch,
  url: string,
  channel: Channel,
  message: string,
  timeoutMs: number,
): Promise<void> {
  const name = channel === "slack" ? "Slack" : "Discord";
  let res: Response;
  try {
    res = await fetchFn(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(hookBody(channel, message)),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "error",
    });
  } catch (err) {
    const code = (err as { cause?: { code?: unknown } }).cause?.code;
    const reason =
      (err as Error).name === "TimeoutError"
        ? "timed out"
        : `unreachable${typeof code === "string" ? ` (${code})` : ""}`;
    throw new HookError(`${name} webhook ${reason}`, true);
  }
  await res.arrayBuffer().catch(() => undefined);
  if (res.ok) return;
  const retryable = res.status === 429 || res.status >= 500;
  throw new HookError(
    `${name} webhook answered ${res.status}`,
    retryable,
    parseRetryAfter(res.headers.get("retry-after"), Date.now()),
  );
}
