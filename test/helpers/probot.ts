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

/** A Probot that runs `app` with retries and throttling off, as Probot's own tests do. */
export function createTestProbot(app: ApplicationFunction): Probot {
  const probot = new Probot({
    appId: 123,
    privateKey: testPrivateKey(),
    Octokit: ProbotOctokit.defaults({
      retry: { enabled: false },
      throttle: { enabled: false },
    }),
    log: undefined,
  });
  probot.load(app);
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
