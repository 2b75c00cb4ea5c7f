import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BackfillError } from "../../src/backfill/backfill-source.js";
import {
  createDatapipeClient,
  type DatapipeClientOptions,
} from "../../src/backfill/datapipe-client.js";
import { parseRetryAfter } from "../../src/shared/parse-retry-after.js";
import { type FakeDatapipe, startFakeDatapipe } from "../fakes/fake-datapipe.js";

const KEY = "sekrit-key-123";
let fake: FakeDatapipe;

beforeAll(async () => {
  fake = await startFakeDatapipe({ apiKey: KEY });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const client = (options: Partial<DatapipeClientOptions> = {}) =>
  createDatapipeClient({
    baseUrl: fake.url,
    apiKey: KEY,
    timeoutMs: 300,
    retries: 2,
    minRetryDelayMs: 5,
    maxRetryDelayMs: 20,
    ...options,
  });

async function failure(promise: Promise<unknown>): Promise<BackfillError> {
  const err = await promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BackfillError);
  return err as BackfillError;
}

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates, never negative", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Tue, 31 Dec 2024 23:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe("gh-datapipe client", () => {
  it("triggers with the key, the repository and the days, and reads the status", async () => {
    const c = client();
    const job = await c.trigger("octo/a", 30);
    expect(job.status).toBe("queued");
    const [call] = fake.calls;
    expect(call).toMatchObject({ kind: "trigger", apiKey: KEY, repository: "octo/a", days: 30 });
    expect(await c.status(job.jobId)).toEqual({ status: "running", progress: 10, error: null });
    expect(await c.status(job.jobId)).toEqual({ status: "completed", progress: 100, error: null });
    await c.cancel(job.jobId);
    expect(fake.calls.map((x) => x.kind)).toEqual(["trigger", "status", "status", "cancel"]);
  });

  it("makes no call at all without a key", async () => {
    const err = await failure(client({ apiKey: undefined }).trigger("octo/a", 30));
    expect(err.message).toBe("Service unavailable: GH_DATPIPE_KEY is not configured");
    expect(err.called).toBe(false);
    expect(fake.calls).toHaveLength(0);
  });

  it.each(["octo", "octo/a/b", "/a", "octo/", "octo a/b", "octo/..", "-octo/a"])(
    "refuses %j as not owner/name without a call",
    async (name) => {
      const err = await failure(client().trigger(name, 30));
      expect(err.message).toBe("Repository not found");
      expect(fake.calls).toHaveLength(0);
    },
  );

  it("waits as long as Retry-After (seconds) asks, then succeeds", async () => {
    fake.script("octo/a", {
      trigger: [{ status: 429, headers: { "Retry-After": "1" }, json: {} }],
    });
    const job = await client().trigger("octo/a", 30);
    expect(job.jobId).toMatch(/^job-/);
    const [first, second] = fake.triggers();
    expect(first!.answered).toBe(429);
    expect(second!.answered).toBe(202);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000);
  });

  it("honours Retry-After given as an HTTP date", async () => {
    const at = new Date(Date.now() + 1500).toUTCString();
    fake.script("octo/a", { trigger: [{ status: 429, headers: { "Retry-After": at }, json: {} }] });
    await client().trigger("octo/a", 30);
    const [first, second] = fake.triggers();
    // HTTP dates have whole seconds: at least the rounded-down wait.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(Date.parse(at) - first!.at - 5);
  });

  it("gives up at once when Retry-After is longer than it will wait", async () => {
    fake.script("octo/a", {
      triggerAlways: { status: 429, headers: { "Retry-After": "3600" }, json: {} },
    });
    const err = await failure(client({ maxRetryAfterMs: 10_000 }).trigger("octo/a", 30));
    expect(err.message).toBe(
      "Failed to trigger backfill: gh-datapipe is rate limiting (retry after 3600 s)",
    );
    expect(fake.triggers()).toHaveLength(1);
  });

  it("retries a 500 then succeeds", async () => {
    fake.script("octo/a", { trigger: [{ status: 500, json: { error: "boom" } }] });
    await client().trigger("octo/a", 30);
    expect(fake.triggers().map((c) => c.answered)).toEqual([500, 202]);
  });

  it("fails after bounded retries of a permanent 500, with the server's reason", async () => {
    fake.script("octo/a", { triggerAlways: { status: 503, json: { error: "maintenance" } } });
    const err = await failure(client().trigger("octo/a", 30));
    expect(err.message).toBe("Failed to trigger backfill: gh-datapipe answered 503: maintenance");
    expect(fake.triggers()).toHaveLength(3);
  });

  it("maps 404 to Repository not found without retrying", async () => {
    fake.script("octo/gone", { triggerAlways: { status: 404, json: { error: "no such repo" } } });
    const err = await failure(client().trigger("octo/gone", 30));
    expect(err.message).toBe("Repository not found");
    expect(fake.triggers()).toHaveLength(1);
  });

  it("times out a hanging call and retries it", async () => {
    fake.script("octo/a", { triggerAlways: { hang: true } });
    const err = await failure(client({ timeoutMs: 100, retries: 1 }).trigger("octo/a", 30));
    expect(err.message).toBe(
      "Failed to trigger backfill: gh-datapipe did not answer within 100 ms",
    );
    expect(fake.triggers()).toHaveLength(2);
  });

  it("retries a body that is not JSON", async () => {
    fake.script("octo/a", { trigger: [{ status: 200, raw: "<html>gateway</html>" }] });
    await client().trigger("octo/a", 30);
    fake.script("octo/b", { triggerAlways: { status: 200, raw: "<html>gateway</html>" } });
    const err = await failure(client().trigger("octo/b", 30));
    expect(err.message).toBe(
      "Failed to trigger backfill: gh-datapipe's answer is not JSON (HTTP 200)",
    );
  });

  it("rejects an answer without a job id as unreadable", async () => {
    fake.script("octo/a", { triggerAlways: { status: 202, json: { status: "queued" } } });
    const err = await failure(client().trigger("octo/a", 30));
    expect(err.message).toMatch(
      /^Failed to trigger backfill: gh-datapipe's answer is unreadable \(job_id: /,
    );
  });

  it("does not retry a 401 and never shows the key", async () => {
    fake.script("octo/a", { triggerAlways: { status: 401, json: { error: `bad key ${KEY}` } } });
    const err = await failure(client().trigger("octo/a", 30));
    expect(err.message).toBe(
      "Failed to trigger backfill: gh-datapipe answered 401: bad key [redacted]",
    );
    expect(err.message).not.toContain(KEY);
    expect(fake.triggers()).toHaveLength(1);
  });

  it("reports a network failure with the contract's prefix", async () => {
    const err = await failure(
      client({ baseUrl: "http://127.0.0.1:1", retries: 1 }).trigger("octo/a", 30),
    );
    expect(err.message).toMatch(/^Failed to trigger backfill: could not reach gh-datapipe \(/);
  });

  it("marks status failures transient, and an unknown job final", async () => {
    const c = client();
    const { jobId } = await c.trigger("octo/a", 30);
    fake.script("octo/a", {
      status: [
        { status: 500, json: {} },
        { status: 500, json: {} },
        { status: 500, json: {} },
      ],
    });
    const transient = await failure(c.status(jobId));
    expect(transient.transient).toBe(true);
    const gone = await failure(c.status("no-such-job"));
    expect(gone.transient).toBe(false);
    expect(gone.message).toBe("Backfill job failed: job not found at gh-datapipe");
  });
});
