import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { createMetricsHandler } from "../../src/metrics/create-metrics-handler.js";
import type { WorkspaceMetrics } from "../../src/metrics/types.js";
import { createTestDb } from "../helpers/db.js";
import { addWorkspace, daysBefore, insertEvents } from "./fixtures.js";

const TOKEN = "s3cret-metrics-token";
const NOW = "2024-05-01T00:00:00.000Z";

/** The handler behind a plain node:http server on loopback; unowned paths get 418. */
async function serve(
  handler: ReturnType<typeof createMetricsHandler>,
): Promise<{ server: Server; base: string }> {
  const server = createServer(async (req, res) => {
    if (!(await handler(req, res))) res.writeHead(418).end("not mine");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("metrics HTTP API", () => {
  let db: Db;
  let server: Server;
  let base: string;
  let closed: Server;
  let closedBase: string;
  const auth = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    db = await createTestDb();
    await addWorkspace(db, 42, [{ owner: "octo", name: "a", stars: 10, forks: 3 }]);
    await insertEvents(db, [
      { id: "1", at: daysBefore(NOW, 1) },
      { id: "2", at: daysBefore(NOW, 2) },
      { id: "3", at: daysBefore(NOW, 31) },
      { id: "4", type: "ForkEvent", at: daysBefore(NOW, 5) },
    ]);
    ({ server, base } = await serve(
      createMetricsHandler({ db, token: TOKEN, clock: () => new Date(NOW) }),
    ));
    ({ server: closed, base: closedBase } = await serve(
      createMetricsHandler({ db, token: undefined }),
    ));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await new Promise((r) => closed.close(r));
    await db.close();
  });

  it("answers the workspace's metrics with the token", async () => {
    const res = await fetch(`${base}/api/workspaces/42/metrics?days=30`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const body = (await res.json()) as WorkspaceMetrics;
    expect(body.installationId).toBe(42);
    expect(body.stars).toEqual({
      total: 10,
      current: 2,
      previous: 1,
      velocity: 0.07,
      previousVelocity: 0.03,
      percentChange: 100,
      trend: "up",
      source: "events",
    });
    expect(body.forks).toMatchObject({ total: 3, current: 1, previous: 0, percentChange: null });
    expect(body.timeline).toHaveLength(30);
    expect(body.timeline.at(-1)).toEqual({ date: "2024-04-30", stars: 1, forks: 0, total: 1 });
    expect(body.activity).toEqual({ totalEvents: 3, uniqueActors: 3, mostActiveRepo: "octo/a" });
    expect(body.coverage[0]).toMatchObject({
      repository: "octo/a",
      firstEvent: "2024-03-31T00:00:00.000Z",
      lastEvent: "2024-04-30T00:00:00.000Z",
      daysWithEvents: 4,
      hasPreviousWindow: true,
    });
  });

  it("defaults to 30 days and takes any whole number from 1 to 365", async () => {
    const res = await fetch(`${base}/api/workspaces/42/metrics`, { headers: auth });
    const plain = (await res.json()) as WorkspaceMetrics;
    expect(plain.window.days).toBe(30);
    for (const days of [1, 365]) {
      const answer = await fetch(`${base}/api/workspaces/42/metrics?days=${days}`, {
        headers: auth,
      });
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as WorkspaceMetrics).timeline).toHaveLength(days);
    }
  });

  it.each([
    ["no header", {}],
    ["a wrong token", { authorization: "Bearer nope" }],
    ["the token with another scheme", { authorization: `Basic ${TOKEN}` }],
    ["a prefix of the token", { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ["an empty bearer", { authorization: "Bearer " }],
  ])("refuses %s with 401", async (_, headers) => {
    const res = await fetch(`${base}/api/workspaces/42/metrics`, { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    expect(await res.text()).not.toContain(TOKEN);
  });

  it.each(["0", "366", "-1", "1.5", "abc", "", "30&days=31", "1e2"])(
    "answers days=%s with 400",
    async (days) => {
      const res = await fetch(`${base}/api/workspaces/42/metrics?days=${days}`, { headers: auth });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: "days must be a whole number from 1 to 365" });
    },
  );

  it.each(["7", "abc", "0"])("answers an unknown workspace %s with 404", async (id) => {
    const res = await fetch(`${base}/api/workspaces/${id}/metrics`, { headers: auth });
    expect(res.status).toBe(404);
  });

  it("answers 404 to everyone when no token is configured", async () => {
    const res = await fetch(`${closedBase}/api/workspaces/42/metrics`, { headers: auth });
    expect(res.status).toBe(404);
  });

  it("leaves other paths and other methods to the rest of the server", async () => {
    expect((await fetch(`${base}/api/workspaces/42/metrics/x`, { headers: auth })).status).toBe(
      418,
    );
    expect((await fetch(`${base}/api/github/webhooks`, { method: "POST" })).status).toBe(418);
    const post = await fetch(`${base}/api/workspaces/42/metrics`, {
      method: "POST",
      headers: auth,
    });
    expect(post.status).toBe(405);
  });
});
