import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeHistory } from "./fake-github-history.js";

/**
 * A stateful, GitHub-compatible REST API for the routes the app uses: issues, comments,
 * reactions, labels, check runs, repositories, branches, collaborator permission. It records
 * every request. Use it in-process (`handle`, e.g. behind nock) or over HTTP on loopback
 * (`listen`, with `GHE_HOST=127.0.0.1:PORT GHE_PROTOCOL=http`: paths under `/api/v3`).
 */

export interface FakeRequest {
  method: string;
  /** Path without the `/api/v3` prefix and without the query. */
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | null;
  /** When it arrived (ms since the epoch). */
  at: number;
}

export interface FakeResponse {
  status: number;
  body: unknown;
  /** Response headers beyond `content-type` (`link`, rate-limit headers). */
  headers?: Record<string, string>;
  /** A body sent as it is with this type (a raw media type), not as JSON. */
  contentType?: string;
}

interface Repo {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  headSha: string | null;
}
interface Issue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: "open" | "closed";
  user: string;
}
interface Comment {
  id: number;
  repo: string;
  issueNumber: number;
  body: string;
  user: string;
  edits: number;
}
interface Reaction {
  id: number;
  repo: string;
  commentId: number;
  content: string;
}
interface CheckRun {
  id: number;
  repo: string;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  external_id: string | null;
  output: { title?: string; summary?: string } | null;
  actions: { label: string; identifier: string; description: string }[];
  updates: number;
}

export class FakeGitHub {
  readonly requests: FakeRequest[] = [];
  readonly repos = new Map<string, Repo>();
  readonly issues = new Map<string, Issue[]>();
  readonly labels = new Map<string, Set<string>>();
  readonly comments = new Map<number, Comment>();
  readonly reactions: Reaction[] = [];
  readonly checkRuns = new Map<number, CheckRun>();
  /** login → { permission, role_name }; unknown users get 404 (not a collaborator). */
  readonly permissions = new Map<string, { permission: string; role_name: string }>();
  /** Star history and forks per repository (empty unless set), with scripted faults. */
  readonly history: FakeHistory;
  private nextId = 1000;
  private server: Server | null = null;

  constructor(readonly options: { webBase?: string; botLogin?: string; now?: () => number } = {}) {
    this.history = new FakeHistory(options.now);
  }

  get webBase() {
    return this.options.webBase ?? "https://github.com";
  }
  get botLogin() {
    return this.options.botLogin ?? "workspace-backfill[bot]";
  }

  addRepo(repo: {
    id: number;
    owner: string;
    name: string;
    defaultBranch?: string;
    headSha?: string | null;
  }) {
    this.repos.set(key(repo.owner, repo.name), {
      defaultBranch: "main",
      headSha: "6dcb09b5b57875f334f61aebed695e2e4193db5e",
      ...repo,
    } as Repo);
    return this;
  }

  setPermission(login: string, permission: string, roleName = permission) {
    this.permissions.set(login.toLowerCase(), { permission, role_name: roleName });
    return this;
  }

  addIssue(owner: string, name: string, issue: Partial<Issue> & { number?: number }): Issue {
    const list = this.issuesOf(owner, name);
    const created: Issue = {
      number: issue.number ?? list.length + 1,
      title: issue.title ?? "Issue",
      body: issue.body ?? "",
      labels: issue.labels ?? [],
      state: issue.state ?? "open",
      user: issue.user ?? "octocat",
    };
    list.push(created);
    return created;
  }

  issue(owner: string, name: string, number: number): Issue | undefined {
    return this.issuesOf(owner, name).find((i) => i.number === number);
  }

  commentsOn(owner: string, name: string, issueNumber: number): Comment[] {
    return [...this.comments.values()].filter(
      (c) => c.repo === key(owner, name) && c.issueNumber === issueNumber,
    );
  }

  reactionsOn(commentId: number): string[] {
    return this.reactions.filter((r) => r.commentId === commentId).map((r) => r.content);
  }

  /** `METHOD /path` of every request, in order. */
  calls(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`);
  }

  private issuesOf(owner: string, name: string) {
    const k = key(owner, name);
    let list = this.issues.get(k);
    if (!list) {
      list = [];
      this.issues.set(k, list);
    }
    return list;
  }

  private issueJson(owner: string, name: string, issue: Issue) {
    return {
      id: issue.number + 500_000,
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      user: { login: issue.user, type: "User" },
      labels: issue.labels.map((l) => ({ name: l })),
      html_url: `${this.webBase}/${owner}/${name}/issues/${issue.number}`,
    };
  }

  private commentJson(c: Comment) {
    const [owner, name] = c.repo.split("/");
    return {
      id: c.id,
      body: c.body,
      user: { login: c.user, type: c.user.endsWith("[bot]") ? "Bot" : "User" },
      html_url: `${this.webBase}/${owner}/${name}/issues/${c.issueNumber}#issuecomment-${c.id}`,
    };
  }

  private checkRunJson(c: CheckRun) {
    return { ...c, updates: undefined };
  }

  /** Answers one request as GitHub would, and records it. */
  handle(method: string, rawPath: string, body: Record<string, unknown> | null): FakeResponse {
    const url = new URL(rawPath, "http://fake");
    const path = url.pathname.replace(/^\/api\/v3/, "");
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({ method, path, query, body, at: Date.now() });
    const m = (pattern: RegExp) => pattern.exec(path);
    let g: RegExpExecArray | null;
    const notFound = { status: 404, body: { message: "Not Found" } };

    const history = this.history.handle(method, path, query, (o, n) => this.repos.has(key(o, n)));
    if (history) return history;
    if (method === "POST" && m(/^\/app\/installations\/\d+\/access_tokens$/)) {
      return {
        status: 201,
        body: {
          token: "ghs_fake",
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          permissions: {},
          repository_selection: "all",
        },
      };
    }
    g = m(/^\/repos\/([^/]+)\/([^/]+)\/collaborators\/([^/]+)\/permission$/);
    if (g && method === "GET") {
      const p = this.permissions.get(decodeURIComponent(g[3]!).toLowerCase());
      if (!p) return notFound;
      return { status: 200, body: { ...p, user: { login: decodeURIComponent(g[3]!) } } };
    }
    g = m(/^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)\/reactions$/);
    if (g) {
      const commentId = Number(g[3]);
      if (method === "POST") {
        const r = {
          id: this.nextId++,
          repo: key(g[1]!, g[2]!),
          commentId,
          content: String(body?.content),
        };
        this.reactions.push(r);
        return { status: 201, body: { id: r.id, content: r.content } };
      }
      if (method === "GET") {
        return {
          status: 200,
          body: this.reactions
            .filter((r) => r.commentId === commentId)
            .map((r) => ({ id: r.id, content: r.content })),
        };
      }
    }
    g = m(/^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/);
    if (g) {
      const c = this.comments.get(Number(g[3]));
      if (!c) return notFound;
      if (method === "PATCH") {
        c.body = String(body?.body ?? "");
        c.edits += 1;
      }
      return { status: 200, body: this.commentJson(c) };
    }
    g = m(/^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/);
    if (g) {
      const [owner, name, number] = [g[1]!, g[2]!, Number(g[3])];
      if (!this.issue(owner, name, number)) return notFound;
      if (method === "POST") {
        const text = String(body?.body ?? "");
        if (text.length > 65_536) return { status: 422, body: { message: "Body is too long" } };
        const c: Comment = {
          id: this.nextId++,
          repo: key(owner, name),
          issueNumber: number,
          body: text,
          user: this.botLogin,
          edits: 0,
        };
        this.comments.set(c.id, c);
        return { status: 201, body: this.commentJson(c) };
      }
      if (method === "GET")
        return {
          status: 200,
          body: this.commentsOn(owner, name, number).map((c) => this.commentJson(c)),
        };
    }
    g = m(/^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/);
    if (g) {
      const issue = this.issue(g[1]!, g[2]!, Number(g[3]));
      if (!issue) return notFound;
      if (method === "PATCH") {
        if (typeof body?.body === "string") {
          if (body.body.length > 65_536)
            return { status: 422, body: { message: "Body is too long" } };
          issue.body = body.body;
        }
        if (typeof body?.state === "string") issue.state = body.state as Issue["state"];
      }
      return { status: 200, body: this.issueJson(g[1]!, g[2]!, issue) };
    }
    g = m(/^\/repos\/([^/]+)\/([^/]+)\/issues$/);
    if (g) {
      const [owner, name] = [g[1]!, g[2]!];
      if (!this.repos.has(key(owner, name))) return notFound;
      if (method === "POST") {
        const labels = ((body?.labels as unknown[]) ?? []).map(String);
        for (const l of labels) this.labelsOf(owner, name).add(l);
        const issue = this.addIssue(owner, name, {
          title: String(body?.title ?? ""),
          body: String(body?.body ?? ""),
          labels,
          user: this.botLogin,
        });
        return { status: 201, body: this.issueJson(owner, name, issue) };
      }
      if (method === "GET") {
        const wanted = (query.labels ?? "").split(",").filter(Boolean);
        const state = query.state ?? "open";
        const list = this.issuesOf(owner, name).filter(
          (i) =>
            (state === "all" || i.state === state) && wanted.every((l) => i.labels.includes(l)),
        );
        return { status: 200, body: list.map((i) => this.issueJson(owner, name, i)) };
      }
    }
    g = m(/^\/repos\/([^/]+)\/([^/]+)\/labels\/([^/]+)$/);
    if (g && method === "GET") {
      const label = decodeURIComponent(g[3]!);
      if (!this.labelsOf(g[1]!, g[2]!).has(label)) return notFound;
      return { status: 200, body: { name: label, color: "0e8a16" } };
    }
    g = m(/^\/repos\/([^/]+)\/([^/]+)\/labels$/);
    if (g && method === "POST") {
      const labels = this.labelsOf(g[1]!, g[2]!);
      const name = String(body?.name);
      if (labels.has(name)) return { status: 422, body: { message: "Validation Failed" } };
      labels.add(name);
      return { status: 201, body: { name, color: body?.color } };
    }
    g = m(/^\/repos\/([^/]+)\/([^/]+)\/check-runs$/);
    if (g && method === "POST") {
      const c: CheckRun = {
        id: this.nextId++,
        repo: key(g[1]!, g[2]!),
        name: String(body?.name),
        head_sha: String(body?.head_sha),
        status: String(body?.status ?? "queued"),
        conclusion: (body?.conclusion as string | undefined) ?? null,
        external_id: (body?.external_id as string | undefined) ?? null,
        output: (body?.output as CheckRun["output"]) ?? null,
        actions: (body?.actions as CheckRun["actions"]) ?? [],
        updates: 0,
      };
      const bad = checkRunProblem(c);
      if (bad) return { status: 422, body: { message: bad } };
      this.checkRuns.set(c.id, c);
      return { status: 201, body: this.checkRunJson(c) };
    }
    g = m(/^\/repos\/([^/]+)\/([^/]+)\/check-runs\/(\d+)$/);
    if (g) {
      const c = this.checkRuns.get(Number(g[3]));
      if (!c) return notFound;
      if (method === "PATCH") {
        for (const f of ["status", "conclusion", "output", "actions"] as const) {
          if (body && f in body) (c as unknown as Record<string, unknown>)[f] = body[f];
        }
        c.updates += 1;
        const bad = checkRunProblem(c);
        if (bad) return { status: 422, body: { message: bad } };
      }
      return { status: 200, body: this.checkRunJson(c) };
    }
    g = m(/^\/repos\/([^/]+)\/([^/]+)\/branches\/([^/]+)$/);
    if (g && method === "GET") {
      const repo = this.repos.get(key(g[1]!, g[2]!));
      if (!repo?.headSha || decodeURIComponent(g[3]!) !== repo.defaultBranch) return notFound;
      return { status: 200, body: { name: repo.defaultBranch, commit: { sha: repo.headSha } } };
    }
    g = m(/^\/repos\/([^/]+)\/([^/]+)$/);
    if (g && method === "GET") {
      const repo = this.repos.get(key(g[1]!, g[2]!));
      if (!repo) return notFound;
      return {
        status: 200,
        body: {
          id: repo.id,
          name: repo.name,
          full_name: `${repo.owner}/${repo.name}`,
          owner: { login: repo.owner },
          default_branch: repo.defaultBranch,
        },
      };
    }
    return notFound;
  }

  private labelsOf(owner: string, name: string) {
    const k = key(owner, name);
    let set = this.labels.get(k);
    if (!set) {
      set = new Set();
      this.labels.set(k, set);
    }
    return set;
  }

  /** Serves the API over HTTP on loopback; resolves with `127.0.0.1:PORT`. */
  async listen(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        let body: Record<string, unknown> | null = null;
        const text = Buffer.concat(chunks).toString("utf8");
        if (text) {
          try {
            body = JSON.parse(text);
          } catch {
            res
              .writeHead(400, { "content-type": "application/json" })
              .end('{"message":"Problems parsing JSON"}');
            return;
          }
        }
        const answer = this.handle(req.method ?? "GET", req.url ?? "/", body);
        if (answer.contentType) {
          res.writeHead(answer.status, { "content-type": answer.contentType, ...answer.headers });
          res.end(String(answer.body));
          return;
        }
        res.writeHead(answer.status, {
          "content-type": "application/json; charset=utf-8",
          ...answer.headers,
        });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function key(owner: string, name: string) {
  return `${owner}/${name}`.toLowerCase();
}

/** GitHub's documented limits on check runs, so tests catch a breach as GitHub would. */
function checkRunProblem(c: CheckRun): string | null {
  if (c.actions.length > 3) return "at most 3 actions";
  for (const a of c.actions) {
    if (a.label.length > 20 || a.identifier.length > 20 || a.description.length > 40)
      return "action too long";
  }
  if ((c.output?.summary?.length ?? 0) > 65_535) return "summary too long";
  return null;
}
