import { ProbotOctokit } from "probot";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { createKeyedLock } from "../../src/github/keyed-lock.js";
import { type DashboardRow, loadDashboardRows } from "../../src/github/load-dashboard-rows.js";
import { readDashboardSelection } from "../../src/github/read-dashboard-selection.js";
import { renderDashboard } from "../../src/github/render-dashboard.js";
import { renderEmbedLines } from "../../src/github/render-embed-lines.js";
import { refreshDashboard } from "../../src/github/refresh-dashboard.js";
import type { FakeGitHub } from "../fakes/fake-github.js";
import { createTestDb, resetDb } from "../helpers/db.js";
import { HELLO, INSTALLATION, OTHER, seedTrackedWorkspace } from "../github/tracked-workspace.js";

const URL_BASE = "https://bot.example.org";

const row = (fullName: string, isPrivate?: boolean): DashboardRow => {
  const [owner, name] = fullName.split("/") as [string, string];
  return {
    repositoryId: 1,
    owner,
    name,
    fullName,
    ...(isPrivate === undefined ? {} : { private: isPrivate }),
    status: null,
    lastBackfillAt: null,
    events90: 0,
    daysWithEvents: 0,
  };
};

describe("embed lines on the dashboard (contract §8)", () => {
  it("lists each public repository's badge and chart Markdown under PUBLIC_URL", () => {
    expect(
      renderEmbedLines(
        [row("acme/widgets", false), row("acme/secret", true), row("acme/unknown")],
        URL_BASE,
      ),
    ).toBe(
      [
        "### Embeds",
        "",
        "Stars badge and history chart of each public repository, for a README:",
        "",
        "- acme/widgets: `![stars](https://bot.example.org/embed/acme/widgets/stars.svg)` `![star history of acme/widgets](https://bot.example.org/embed/acme/widgets/history.svg)`",
        "",
      ].join("\n"),
    );
  });

  it("has none without PUBLIC_URL, or without a public repository", () => {
    expect(renderEmbedLines([row("acme/widgets", false)], undefined)).toBe("");
    expect(renderEmbedLines([row("acme/secret", true)], URL_BASE)).toBe("");
    const body = renderDashboard({
      rows: [row("acme/widgets", false)],
      ticked: new Set(),
      backfillSelected: false,
      runLine: null,
    });
    expect(body).not.toContain("/embed/");
    expect(body).not.toContain("### Embeds");
  });

  it("adds the section after the boxes without changing what the boxes say", () => {
    const rows = [row("acme/widgets", false), row("acme/secret", true)];
    const plain = renderDashboard({
      rows,
      ticked: new Set(["acme/widgets"]),
      backfillSelected: true,
      runLine: null,
    });
    const withEmbeds = renderDashboard({
      rows,
      ticked: new Set(["acme/widgets"]),
      backfillSelected: true,
      runLine: null,
      publicUrl: URL_BASE,
    });
    expect(withEmbeds.startsWith(plain)).toBe(true);
    expect(withEmbeds.slice(plain.length)).toBe(`\n${renderEmbedLines(rows, URL_BASE)}`);
    expect(readDashboardSelection(withEmbeds)).toEqual(readDashboardSelection(plain));
    expect(withEmbeds).not.toContain("acme/secret/");
  });

  it("with 1,000 public repositories keeps every box, folds the embed lines, and stays under GitHub's limit", () => {
    const rows = Array.from({ length: 1000 }, (_, n) => row(`octo-org/service-${n}`, false));
    const body = renderDashboard({
      rows,
      ticked: new Set(["octo-org/service-999"]),
      backfillSelected: false,
      runLine: null,
      publicUrl: URL_BASE,
    });
    expect(body.length).toBeLessThan(65_536);
    expect(body.match(/^- \[[ x]\] octo-org/gm)).toHaveLength(1000);
    const shown = body.match(/^- octo-org\/service-\d+: `!\[stars\]/gm)!.length;
    expect(shown).toBeGreaterThan(10);
    expect(body).toContain(
      `_${1000 - shown} more public repositories: \`![stars](${URL_BASE}/embed/OWNER/REPO/stars.svg)\``,
    );
    expect(readDashboardSelection(body)).toEqual({
      repositories: ["octo-org/service-999"],
      backfillSelected: false,
    });
  });
});

describe("the dashboard written to GitHub", () => {
  let db: Db;
  let fake: FakeGitHub;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await resetDb(db);
    fake = await seedTrackedWorkspace(db);
    await db.query(
      "update workspace_repositories set private = true where repository_id = $1::bigint",
      [OTHER.id],
    );
  });

  const octokit = () =>
    new ProbotOctokit({
      request: {
        fetch: async (input: string | URL | Request, init?: RequestInit) => {
          const request = new Request(input, init);
          const text = await request.text();
          const url = new URL(request.url);
          const answer = fake.handle(
            request.method,
            url.pathname + url.search,
            text ? JSON.parse(text) : null,
          );
          return new Response(answer.status === 204 ? null : JSON.stringify(answer.body), {
            status: answer.status,
            headers: { "content-type": "application/json; charset=utf-8" },
          });
        },
      },
      throttle: { enabled: false },
      retry: { enabled: false },
    });
  const refresh = (publicUrl: string | undefined) =>
    refreshDashboard(
      {
        db,
        octokit: octokit() as never,
        lock: createKeyedLock(),
        log: { info() {}, warn() {} },
        publicUrl,
      },
      INSTALLATION,
      { repo: { owner: HELLO.owner, repo: HELLO.name }, repositoryId: HELLO.id, issueNumber: 1 },
      { run: null },
    );
  const body = () => fake.issues.get(`${HELLO.owner}/${HELLO.name}`.toLowerCase())![0]!.body;

  it("loads each repository's private flag", async () => {
    const rows = await loadDashboardRows(db, INSTALLATION);
    expect(rows.map((r) => [r.fullName, r.private])).toEqual([
      ["Codertocat/Hello-World", false],
      ["Codertocat/other", true],
    ]);
  });

  it("shows the public repository's embed Markdown with PUBLIC_URL, and never the private one's", async () => {
    expect(await refresh(URL_BASE)).toBe(true);
    expect(body()).toContain(
      "- Codertocat/Hello-World: `![stars](https://bot.example.org/embed/Codertocat/Hello-World/stars.svg)` `![star history of Codertocat/Hello-World](https://bot.example.org/embed/Codertocat/Hello-World/history.svg)`",
    );
    expect(body()).not.toContain("embed/Codertocat/other");
  });

  it("shows no embed line without PUBLIC_URL", async () => {
    expect(await refresh(undefined)).toBe(true);
    expect(body()).toContain("- [ ] Codertocat/Hello-World");
    expect(body()).not.toContain("/embed/");
  });
});
