import { describe, expect, it } from "vitest";
import type { ItemSnapshot, RunSnapshot } from "../../src/backfill/types.js";
import { ROUTES } from "../../src/github/github-api.js";
import { readDashboardSelection } from "../../src/github/read-dashboard-selection.js";
import { renderDashboard } from "../../src/github/render-dashboard.js";
import {
  progressLine,
  renderCheckRunOutput,
  renderProgressComment,
} from "../../src/github/render-run.js";
import { createKeyedLock } from "../../src/github/keyed-lock.js";
import { createRunReporter } from "../../src/github/run-reporter.js";
import type { RunResults } from "../../src/github/run-results.js";
import type { Db } from "../../src/db/index.js";
import { FakeGitHub } from "../fakes/fake-github.js";
import { openApiHasRoute } from "./openapi-routes.js";

function item(
  i: number,
  status: ItemSnapshot["status"],
  error: string | null = null,
): ItemSnapshot {
  return {
    id: i + 1,
    position: i + 1,
    owner: "some-organisation-name",
    name: `repository-with-a-long-name-${i}`,
    fullName: `some-organisation-name/repository-with-a-long-name-${i}`,
    repositoryId: 10_000 + i,
    status,
    jobId: null,
    progress: null,
    eventsFound: status === "completed" ? 1234 : null,
    error,
    startedAt: null,
    finishedAt: null,
  };
}

function run(items: ItemSnapshot[], status: RunSnapshot["status"] = "processing"): RunSnapshot {
  const count = (s: string) => items.filter((i) => i.status === s).length;
  return {
    id: 7,
    installationId: 9,
    status,
    days: 90,
    source: "command",
    requestedBy: "octocat",
    retryOf: null,
    paused: false,
    createdAt: new Date(),
    startedAt: null,
    finishedAt: null,
    done: count("completed") + count("failed") + count("cancelled"),
    completed: count("completed"),
    failed: count("failed"),
    cancelled: count("cancelled"),
    total: items.length,
    items,
  };
}

const longError = `Failed to trigger backfill: ${"x".repeat(500)}`;
const thousand = Array.from({ length: 1000 }, (_, i) =>
  item(i, i % 10 === 0 ? "failed" : "completed", i % 10 === 0 ? longError : null),
);
const results: RunResults = {
  workspace: {
    stars: { perDay: 1.5, percentChange: 15 },
    forks: { perDay: 0.1, percentChange: null },
  },
  repositories: thousand.map((i) => ({
    fullName: i.fullName,
    stars: { perDay: 0.5, percentChange: -4 },
    forks: { perDay: 0, percentChange: null },
  })),
  starsChart: "```mermaid\nxychart-beta\n```",
};

describe("GitHub's size limits with 1,000 repositories", () => {
  it("the progress comment stays under 65,536 characters, failures shown first, folded rows counted", () => {
    const body = renderProgressComment(run(thousand, "failed"), results);
    expect(body.length).toBeLessThan(65_536);
    expect(body).toMatch(/_\d+ more rows folded to keep within GitHub's size limit\._/);
    const folded = Number(/_(\d+) more rows folded/.exec(body)![1]);
    const shown = body.split("\n").filter((l) => l.startsWith("| some-organisation")).length;
    // Every repository is either a row or counted as folded (two tables: run and results).
    expect(
      shown + folded + Number([...body.matchAll(/_(\d+) more rows folded/g)][1]?.[1] ?? 0),
    ).toBe(2000);
    // The 100 failures come first so their errors stay visible.
    const firstRows = body.split("\n").filter((l) => l.includes("| failed |"));
    expect(firstRows).toHaveLength(100);
  });

  it("the check-run summary stays under 65,535 characters", () => {
    const { summary, title } = renderCheckRunOutput(run(thousand, "failed"), results);
    expect(summary.length).toBeLessThan(65_535);
    expect(title).toBe("900/1000 (90%) completed · 100 failed");
  });

  it("the dashboard keeps a box for every repository and stays under 65,536 characters", () => {
    // Names of 30 characters, as most are; the table folds, the boxes all stay.
    const rows = thousand
      .map((_, n) => ({ repositoryId: n, owner: "octo-org", name: `service-${n}` }))
      .map((i) => ({
        repositoryId: i.repositoryId!,
        owner: i.owner,
        name: i.name,
        fullName: `${i.owner}/${i.name}`,
        status: "completed",
        lastBackfillAt: new Date("2025-01-02T00:00:00Z"),
        events90: 12,
        daysWithEvents: 30,
      }));
    const body = renderDashboard({
      rows,
      ticked: new Set([rows[999]!.fullName.toLowerCase()]),
      backfillSelected: false,
      runLine: null,
    });
    expect(body.length).toBeLessThan(65_536);
    expect(body).toMatch(/more rows folded/);
    const selection = readDashboardSelection(body);
    expect(selection).toEqual({ repositories: [rows[999]!.fullName], backfillSelected: false });
    expect(body.match(/^- \[[ x]\] octo-org/gm)).toHaveLength(1000);
  });

  it("with names too long for every box, ticked boxes survive the fold and the fold is counted", () => {
    const rows = thousand.map((i) => ({
      repositoryId: i.repositoryId!,
      owner: i.owner,
      name: `${i.name}-${"x".repeat(40)}`,
      fullName: `${i.fullName}-${"x".repeat(40)}`,
      status: null,
      lastBackfillAt: null,
      events90: 0,
      daysWithEvents: 0,
    }));
    const body = renderDashboard({
      rows,
      ticked: new Set([rows[999]!.fullName.toLowerCase()]),
      backfillSelected: true,
      runLine: null,
    });
    expect(body.length).toBeLessThan(65_536);
    const shown = body.match(/^- \[[ x]\] some/gm)!.length;
    expect(body).toContain(`_${1000 - shown} more repositories folded`);
    expect(readDashboardSelection(body)).toEqual({
      repositories: [rows[999]!.fullName],
      backfillSelected: true,
    });
  });

  it("escapes what it echoes: a repository name cannot inject markdown or mentions", () => {
    const evil = { ...item(0, "failed", "<img src=x> @everyone | `code`"), fullName: "a_b/*c*" };
    const body = renderProgressComment(run([evil]), null);
    expect(body).toContain(
      "| a\\_b/\\*c\\* | failed |  | \\<img src=x\\> @\u200beveryone \\| \\`code\\` |",
    );
  });
});

describe("the progress line (contract §3: completed/total (NN%))", () => {
  const of = (counts: Partial<Record<ItemSnapshot["status"], number>>) => {
    const items: ItemSnapshot[] = [];
    for (const [status, n] of Object.entries(counts))
      for (let i = 0; i < n; i++) items.push(item(items.length, status as ItemSnapshot["status"]));
    return run(items);
  };

  it.each([
    [{ completed: 6, failed: 5 }, "**6/11 (55%)** completed · 5 failed"],
    [
      { completed: 6, failed: 2, pending: 2, processing: 1 },
      "**6/11 (55%)** completed · 2 failed · 2 pending · 1 processing",
    ],
    [{ pending: 2 }, "**0/2 (0%)** completed · 2 pending"],
    [{ completed: 3, cancelled: 2 }, "**3/5 (60%)** completed · 2 cancelled"],
    [{ completed: 999, failed: 1 }, "**999/1000 (99%)** completed · 1 failed"],
    [{ completed: 2 }, "**2/2 (100%)** completed"],
  ])("%j: %s", (counts, line) => {
    expect(progressLine(of(counts))).toBe(line);
  });
});

describe("writes per run", () => {
  it.each([
    [1, 3],
    [10, 3],
    [10, 1],
    [31, 5],
  ])(
    "R=%i, every %i: at most ceil(R / every) + 4 writes to the comment and check run",
    async (R, every) => {
      const fake = new FakeGitHub();
      fake.addRepo({ id: 1, owner: "octo", name: "a" });
      fake.addIssue("octo", "a", { number: 1, labels: ["workspace-backfill"] });
      // The reporter's own queries: tracking issue lookup, claiming and saving ids,
      // dashboard rows.
      const db = {
        query: async (text: string) => {
          if (text.includes("tracking_issue_number as issue"))
            return {
              rows: [{ repository_id: 1, owner: "octo", name: "a", issue: 1 }],
              rowCount: 1,
            };
          if (text.includes("as fresh")) return { rows: [{ id: null, fresh: false }], rowCount: 1 };
          if (text.includes("insert into run_reports as r"))
            return { rows: [{ id: 1 }], rowCount: 1 };
          return { rows: [], rowCount: 0 };
        },
      } as unknown as Db;
      const octokit = {
        request: async (route: string, params: Record<string, unknown>) => {
          const [method, template] = route.split(" ");
          const { owner, repo, ...rest } = params as Record<string, string>;
          let path = template!.replace("{owner}", owner!).replace("{repo}", repo!);
          const body: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(rest)) {
            if (path.includes(`{${k}}`)) path = path.replace(`{${k}}`, String(v));
            else body[k] = v;
          }
          const query =
            method === "GET" ? `?${new URLSearchParams(body as Record<string, string>)}` : "";
          const answer = fake.handle(method!, path + query, method === "GET" ? null : body);
          if (answer.status >= 400)
            throw Object.assign(new Error("http"), { status: answer.status });
          return { data: answer.body };
        },
      };
      const reporter = createRunReporter({
        db,
        config: { BACKFILL_PROGRESS_EVERY: every },
        auth: async () => octokit as never,
        results: async () => null,
        lock: createKeyedLock(),
        log: { info() {}, warn() {}, error() {} },
      });
      const items = Array.from({ length: R }, (_, i) => item(i, "pending"));
      reporter.handle({ type: "run.started", run: run(items) });
      for (let i = 0; i < R; i++) {
        items[i] = item(i, "completed");
        const snapshot = run([...items]);
        reporter.handle({ type: "item.changed", run: snapshot, item: items[i]! });
        // Some writes land between events, others coalesce: both must hold the bound.
        if (i % 2 === 0) await reporter.idle();
      }
      reporter.handle({ type: "run.finished", run: run([...items], "completed") });
      await reporter.idle();
      const writes = fake.requests.filter(
        (r) =>
          r.method !== "GET" &&
          (r.path.includes("/issues/comments") || r.path.includes("/check-runs")) &&
          !r.path.endsWith("/reactions"),
      );
      expect(writes.length).toBeLessThanOrEqual(Math.ceil(R / every) + 4);
      const comment = [...fake.comments.values()][0]!;
      expect(comment.body).toContain(`**${R}/${R} (100%)**`);
      expect([...fake.checkRuns.values()][0]).toMatchObject({
        status: "completed",
        conclusion: "success",
      });
    },
  );
});

describe("GitHub's REST description", () => {
  it.each(Object.entries(ROUTES))("%s: %s exists", (_name, route) => {
    expect(openApiHasRoute(route)).toBe(true);
  });
});
