import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhooks } from "@octokit/webhooks";
import { afterAll, describe, expect, it } from "vitest";
import { installationCreated, issueCommentCreated } from "../../scripts/demo/demo-payloads.js";
import { deliverWebhook } from "../../scripts/demo/deliver-webhook.js";
import { issueCommentCreated as commentSchema } from "../../src/github/payloads.js";
import { installationEvent } from "../../src/workspaces/payloads.js";

const repositories = [
  { id: 1, owner: "acme", name: "widgets" },
  { id: 2, owner: "acme", name: "gadgets" },
];

describe("the demo's webhooks", () => {
  it("installation.created names the installation and its repositories as the app reads them", () => {
    const payload = installationCreated({
      installationId: 77,
      account: { login: "acme", id: 5 },
      sender: { login: "mona", id: 6 },
      repositories,
    });
    const parsed = installationEvent.parse(payload);
    expect(parsed.action).toBe("created");
    expect(parsed.installation).toMatchObject({ id: 77, account: { login: "acme", id: 5 } });
    expect(parsed.repositories).toEqual([
      { id: 1, full_name: "acme/widgets", private: false },
      { id: 2, full_name: "acme/gadgets", private: false },
    ]);
  });

  it("issue_comment.created carries the command, its author and the tracking label", () => {
    const payload = issueCommentCreated({
      installationId: 77,
      repository: repositories[0]!,
      issue: { number: 3, title: "Workspace backfill", labels: ["workspace-backfill"] },
      comment: { id: 99, body: "/backfill 90" },
      sender: { login: "mona", id: 6 },
    });
    const parsed = commentSchema.parse(payload);
    expect(parsed.installation.id).toBe(77);
    expect(parsed.repository).toMatchObject({ id: 1, name: "widgets", owner: { login: "acme" } });
    expect(parsed.issue.number).toBe(3);
    expect(parsed.issue.labels).toEqual([expect.objectContaining({ name: "workspace-backfill" })]);
    expect(parsed.comment).toEqual({ id: 99, body: "/backfill 90" });
    expect(parsed.sender).toEqual({ login: "mona", type: "User" });
  });
});

describe("deliverWebhook", () => {
  const received: { headers: Record<string, unknown>; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(body.includes('"fail"') ? 500 : 200).end("nope");
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("signs like GitHub, and rejects a non-2xx answer", async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const id = await deliverWebhook({ url, secret: "s3", event: "ping", payload: { zen: "ok" } });
    const [first] = received;
    expect(first!.headers["x-github-event"]).toBe("ping");
    expect(first!.headers["x-github-delivery"]).toBe(id);
    expect(first!.body).toBe('{"zen":"ok"}');
    const signature = String(first!.headers["x-hub-signature-256"]);
    expect(await new Webhooks({ secret: "s3" }).verify(first!.body, signature)).toBe(true);
    expect(await new Webhooks({ secret: "other" }).verify(first!.body, signature)).toBe(false);
    await expect(
      deliverWebhook({ url, secret: "s3", event: "ping", payload: { zen: "fail" } }),
    ).rejects.toThrow("the app answered 500 to the ping webhook: nope");
  });
});
