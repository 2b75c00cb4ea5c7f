import { generateKeyPairSync } from "node:crypto";
import examples from "@octokit/webhooks-examples";
import { type ApplicationFunction, Probot, ProbotOctokit } from "probot";

let privateKey: string | undefined;

/** A throwaway RSA key, made once per test file. */
export function testPrivateKey(): string {
  privateKey ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  return privateKey;
}

/**
 * A Probot that runs `app` with throttling and retries off for every octokit it makes. An
 * object passed to `ProbotOctokit.defaults` is overridden by the throttle options Probot
 * gives installation octokits (writes were spaced 1-3 s in tests); a function has the last
 * word. No HTTP server: extra routes (the metrics API) are accepted and not served.
 */
export async function createTestProbot(app: ApplicationFunction): Promise<Probot> {
  const probot = new Probot({
    appId: 123,
    privateKey: testPrivateKey(),
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      throttle: { enabled: false },
      retry: { enabled: false },
    })),
    log: undefined,
  });
  await probot.load(app, { cwd: process.cwd(), addHandler: () => {} });
  return probot;
}

type Example = { name: string; examples: Record<string, unknown>[] };

/**
 * A deep copy of one of GitHub's published example payloads (`@octokit/webhooks-examples`),
 * picked by event name, action and an optional predicate, so tests patch only what they need.
 */
export function examplePayload<T = Record<string, unknown>>(
  event: string,
  action?: string,
  pick: (payload: Record<string, unknown>) => boolean = () => true,
): T {
  const group = (examples as unknown as Example[]).find((e) => e.name === event);
  const payload = group?.examples.find(
    (p) => (action === undefined || p.action === action) && pick(p),
  );
  if (!payload) throw new Error(`no example payload for ${event}.${action ?? "*"}`);
  return structuredClone(payload) as T;
}
