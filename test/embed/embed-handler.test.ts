import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { writeEmbeds } from "../../scripts/demo/write-embeds.js";
import type { Db } from "../../src/db/index.js";
import { createEmbedHandler } from "../../src/embed/index.js";
import { registerInstallationHandlers } from "../../src/github/register-surfaces.js";
import { createMetricsHandler } from "../../src/metrics/index.js";
import type { WorkspaceMetrics } from "../../src/metrics/types.js";
import { createTestDb } from "../helpers/db.js";
import { createTestProbot, examplePayload } from "../helpers/probot.js";
import { addWorkspace, daysBefore, insertEvents } from "../metrics/fixtures.js";
import { externalReferences, parseSvg, rasterise, texts } from "./svg-check.js";

const NOW = "2026-11-30T12:00:00.000Z";
const TOKEN = "metrics-token-for-the-comparison";

/** Handlers behind one node:http server on loopback, tried in turn as Probot does. */
async function serve(
  handlers: ((req: never, res: never) => Promise<boolean>)[],
): Promise<{ server: Server; base: string }> {
  const server = createServer(async (req, res) => {
    for (const handler of handlers) if (await handler(req as never, res as never)) return;
    res.writeHead(418).end("not mine");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

// biome-ignore lint/suspicious/noExplicitAny: example payloads patched field by field
type Payload = Record<string, any>;

describe("embeds (contract §8)", () => {
  let db: Db;
  let server: Server;
  let base: string;
  const clock = () => new Date(NOW);
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { headers });
  const apiStars = async (installationId: number, repository: string, days: number) => {
    const res = await get(`/api/workspaces/${installationId}/metrics?days=${days}`, {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as WorkspaceMetrics;
    return body.repositories.find((r) => r.repository === repository)!.stars;
  };
  const badgeText = async (path: string) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    // Each text is drawn twice (a shadow, then the text): the second of each pair.
    return texts(parseSvg(await res.text())).filter((_, i) => i % 2 === 1);
  };

  beforeAll(async () => {
    db = await createTestDb();
    await addWorkspace(db, 42, [{ owner: "Octo", name: "Widgets", stars: 10, forks: 2 }]);
    await addWorkspace(db, 44, [{ owner: "octo", name: "secret" }]);
    await addWorkspace(db, 45, [{ owner: "octo", name: "fresh" }]);
    await addWorkspace(db, 46, [{ owner: "octo", name: "paused" }]);
    await addWorkspace(db, 47, [
      { owner: "octo", name: "removed" },
      { owner: "octo", name: "turning" },
    ]);
    await db.query("update workspace_repositories set private = true where name = 'secret'");
    await db.query("update workspaces set status = 'suspended' where installation_id = 46");
    await db.query("delete from workspace_repositories where name = 'removed'");
    const events = [
      // Widgets: 3 stars in the last 30 days, 2 in the 30 before (+50%), a fork 3 days ago.
      ...[1, 2, 4].map((d, i) => ({
        id: `w${i}`,
        owner: "octo",
        name: "widgets",
        at: daysBefore(NOW, d),
      })),
      ...[31, 40].map((d, i) => ({
        id: `p${i}`,
        owner: "octo",
        name: "widgets",
        at: daysBefore(NOW, d),
      })),
      { id: "wf", type: "ForkEvent", owner: "octo", name: "widgets", at: daysBefore(NOW, 3) },
      // Fresh: 14 stars this window, none before.
      ...Array.from({ length: 14 }, (_, i) => ({
        id: `f${i}`,
        owner: "octo",
        name: "fresh",
        at: daysBefore(NOW, 1 + i),
      })),
      ...["secret", "paused", "removed", "turning"].map((name) => ({
        id: `x-${name}`,
        owner: "octo",
        name,
        at: daysBefore(NOW, 1),
      })),
    ];
    await insertEvents(db, events);
    ({ server, base } = await serve([
      createMetricsHandler({ db, token: TOKEN, clock }),
      createEmbedHandler({ db, clock }),
    ]));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await db.close();
  });

  it("the badge says what the metrics API says: +50%/30d, with owner and name in any case", async () => {
    const stars = await apiStars(42, "Octo/Widgets", 30);
    expect(stars.percentChange).toBe(50);
    expect(await badgeText("/embed/octo/widgets/stars.svg")).toEqual(["stars", "+50%/30d"]);
    expect(await badgeText("/embed/OCTO/wIdGeTs/stars.svg?days=30")).toEqual(["stars", "+50%/30d"]);
  });

  it.each([7, 60, 365])("with days=%i too", async (days) => {
    const stars = await apiStars(42, "Octo/Widgets", days);
    const expected =
      stars.percentChange !== null
        ? `${stars.percentChange > 0 ? "+" : ""}${stars.percentChange}%/${days}d`
        : stars.current > 0
          ? `${stars.velocity}/day`
          : "n/a";
    expect(await badgeText(`/embed/octo/widgets/stars.svg?days=${days}`)).toEqual([
      "stars",
      expected,
    ]);
  });

  it("shows the stars per day when the earlier window has none", async () => {
    const stars = await apiStars(45, "octo/fresh", 30);
    expect(stars).toMatchObject({ current: 14, previous: 0, percentChange: null, velocity: 0.47 });
    expect(await badgeText("/embed/octo/fresh/stars.svg")).toEqual(["stars", "0.47/day"]);
  });

  it("answers an SVG with ETag and an hour's public caching, and 304 to If-None-Match", async () => {
    const res = await get("/embed/octo/widgets/stars.svg");
    expect(res.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=3600");
    const etag = res.headers.get("etag")!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    const body = await res.text();
    expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(body));
    expect(externalReferences(parseSvg(body))).toEqual([]);

    const again = await get("/embed/octo/widgets/stars.svg", { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
    expect(again.headers.get("cache-control")).toBe("public, max-age=3600");
    const weak = await get("/embed/octo/widgets/stars.svg", {
      "if-none-match": `"other", W/${etag}`,
    });
    expect(weak.status).toBe(304);
    const stale = await get("/embed/octo/widgets/stars.svg", { "if-none-match": '"stale"' });
    expect(stale.status).toBe(200);
    // Another window is another picture, so another tag.
    const week = await get("/embed/octo/widgets/stars.svg?days=7");
    expect(week.headers.get("etag")).not.toBe(etag);
  });

  it("draws the whole stored history from repository_daily_counts, GitHub's days named in the corner", async () => {
    // GitHub's star history covers widgets from 60 days back to today: 4 stars on one day.
    await db.query(
      `insert into github_daily_counts (owner_key, name_key, day, stars, forks)
       values ('octo', 'widgets', '2026-10-01', 4, 0)`,
    );
    await db.query(
      `insert into github_history_coverage (owner_key, name_key, stars_from, stars_to, stars_read_at)
       values ('octo', 'widgets', '2026-10-01', '2026-11-30', now())`,
    );
    try {
      const res = await get("/embed/octo/widgets/history.svg");
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("public, max-age=3600");
      const svg = await res.text();
      const elements = parseSvg(svg);
      expect(elements[0]!.attributes).toMatchObject({ width: "800", height: "400" });
      expect(externalReferences(elements)).toEqual([]);
      const all = texts(elements);
      expect(all[0]).toBe("Octo/Widgets");
      expect(all.at(-1)).toBe("stars: GitHub · forks: events");
      // 2026-10-01 to 2026-11-30 is 61 days: weeks, 9 bars (+1 legend swatch), 4 stars in all.
      const bars = elements.filter((e) => e.name === "rect" && e.attributes.class === "st");
      expect(bars).toHaveLength(10);
      const tips = elements
        .filter((e) => e.name === "title")
        .slice(1)
        .map((e) => e.text);
      const stars = tips.map((t) => Number(/: (\d+) stars/.exec(t)![1]));
      expect(stars.reduce((a, b) => a + b, 0)).toBe(4);
      const forks = tips.map((t) => Number(/, (\d+) forks/.exec(t)![1]));
      expect(forks.reduce((a, b) => a + b, 0)).toBe(1);
      expect(rasterise(svg).inkShare).toBeGreaterThan(0.05);

      const narrow = await get("/embed/octo/widgets/history.svg?width=300");
      expect(parseSvg(await narrow.text())[0]!.attributes.width).toBe("300");
    } finally {
      await db.query("delete from github_daily_counts");
      await db.query("delete from github_history_coverage");
    }
  });

  it.each([
    ["private", "/embed/octo/secret/stars.svg"],
    ["private (chart)", "/embed/octo/secret/history.svg"],
    ["unknown", "/embed/octo/nothing/stars.svg"],
    ["removed", "/embed/octo/removed/history.svg"],
    ["in a suspended workspace", "/embed/octo/paused/stars.svg"],
    ["not a name", "/embed/octo/wid%20gets/stars.svg"],
    ["badly encoded", "/embed/octo/%E0%A4%A/stars.svg"],
  ])("a %s repository gets the same bare 404", async (_, path) => {
    const res = await get(path);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("etag")).toBeNull();
    expect(await res.text()).toBe("Not found\n");
  });

  it.each([
    ["/embed/octo/widgets/stars.svg?days=0", "days must be a whole number from 1 to 365"],
    ["/embed/octo/widgets/stars.svg?days=366", "days must be a whole number from 1 to 365"],
    ["/embed/octo/widgets/stars.svg?days=1e1", "days must be a whole number from 1 to 365"],
    ["/embed/octo/widgets/stars.svg?days=7&days=8", "days must be a whole number from 1 to 365"],
    ["/embed/octo/secret/stars.svg?days=x", "days must be a whole number from 1 to 365"],
    ["/embed/octo/widgets/history.svg?width=299", "width must be a whole number from 300 to 1600"],
    ["/embed/octo/widgets/history.svg?width=1601", "width must be a whole number from 300 to 1600"],
    [
      "/embed/octo/widgets/history.svg?width=80%25",
      "width must be a whole number from 300 to 1600",
    ],
    ["/embed/octo/nothing/history.svg?width=", "width must be a whole number from 300 to 1600"],
  ])("%s → 400 %s", async (path, reason) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(await res.text()).toBe(`${reason}\n`);
  });

  it("leaves other paths to the next handler and refuses writes", async () => {
    expect((await get("/embed/octo/widgets/other.svg")).status).toBe(418);
    expect((await get("/embed/octo/widgets")).status).toBe(418);
    const post = await fetch(`${base}/embed/octo/widgets/stars.svg`, { method: "POST" });
    expect(post.status).toBe(405);
    const head = await fetch(`${base}/embed/octo/widgets/stars.svg`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("etag")).toMatch(/^"/);
  });

  it("serves repositories an installation adds as public, and one whose payload does not say as private", async () => {
    const engine = { pause: vi.fn(), resume: vi.fn(), endWorkspace: vi.fn() };
    const probot = await createTestProbot((app) =>
      registerInstallationHandlers(app, { db, engine }),
    );
    const p = examplePayload<Payload>("installation_repositories", "added");
    p.installation.id = 47;
    p.repositories_added = [
      { id: 4701, node_id: "a", name: "shown", full_name: "octo/shown", private: false },
      { id: 4702, node_id: "b", name: "hidden", full_name: "octo/hidden", private: true },
      { id: 4703, node_id: "c", name: "unsaid", full_name: "octo/unsaid" },
    ];
    p.repositories_removed = [];
    await probot.receive({ id: "added-1", name: "installation_repositories", payload: p } as never);
    expect((await get("/embed/octo/shown/stars.svg")).status).toBe(200);
    expect((await get("/embed/octo/hidden/stars.svg")).status).toBe(404);
    expect((await get("/embed/octo/unsaid/stars.svg")).status).toBe(404);
  });

  it("stops serving a repository the moment a repository.privatized webhook says so, and serves it again when publicized", async () => {
    const engine = { pause: vi.fn(), resume: vi.fn(), endWorkspace: vi.fn() };
    const probot = await createTestProbot((app) =>
      registerInstallationHandlers(app, { db, engine }),
    );
    const { rows } = await db.query<{ repository_id: string }>(
      "select repository_id::text from workspace_repositories where name = 'turning'",
    );
    const event = (action: "privatized" | "publicized", isPrivate: boolean): Payload => {
      const p = examplePayload<Payload>("repository", action);
      p.repository.id = Number(rows[0]!.repository_id);
      p.repository.name = "turning";
      p.repository.full_name = "octo/turning";
      p.repository.owner.login = "octo";
      p.repository.private = isPrivate;
      p.installation = { id: 47, node_id: "x" };
      return p;
    };
    expect((await get("/embed/octo/turning/stars.svg")).status).toBe(200);
    await probot.receive({
      id: "priv-1",
      name: "repository",
      payload: event("privatized", true),
    } as never);
    expect((await get("/embed/octo/turning/stars.svg")).status).toBe(404);
    expect((await get("/embed/octo/turning/history.svg")).status).toBe(404);
    await probot.receive({
      id: "pub-1",
      name: "repository",
      payload: event("publicized", false),
    } as never);
    expect((await get("/embed/octo/turning/history.svg")).status).toBe(200);
  });

  it("the demo's step fetches both pictures and writes them where it says; a 404 stops it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "embeds-test-"));
    try {
      const said: string[] = [];
      const files = await writeEmbeds({
        say: (l = "") => said.push(l),
        base,
        repository: "octo/widgets",
        dir,
      });
      expect(files).toEqual([
        join(dir, "octo-widgets-stars.svg"),
        join(dir, "octo-widgets-history.svg"),
      ]);
      for (const file of files)
        expect(externalReferences(parseSvg(readFileSync(file, "utf8")))).toEqual([]);
      expect(said.slice(1)).toEqual(files.map((f) => `   ${f}`));
      await expect(
        writeEmbeds({ say: () => {}, base, repository: "octo/secret", dir }),
      ).rejects.toThrow("GET /embed/octo/secret/stars.svg answered 404: Not found");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
