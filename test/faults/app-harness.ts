import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import { Webhooks } from "@octokit/webhooks";
import { type Logger, Probot, ProbotOctokit, Server } from "probot";
import { createApp } from "../../src/app.js";
import { createEngine } from "../../src/backfill/create-engine.js";
import type { EngineTuning } from "../../src/backfill/engine-tuning.js";
import type { Engine } from "../../src/backfill/types.js";
import { readConfig } from "../../src/config.js";
import type { Db, Queryable } from "../../src/db/index.js";
import type { Surfaces } from "../../src/github/register-surfaces.js";
import { FakeGitHub, type FakeResponse } from "../fakes/fake-github.js";
import { freePort } from "../helpers/private-postgres.js";
import { examplePayload, testPrivateKey } from "../helpers/probot.js";
import { createLogger } from "../../src/logger.js";
import { waitFor } from "../helpers/wait-for.js";

export { waitFor };

/**
 * The whole app under faults: in this process (Probot's own HTTP server, the real engine
 * with shortened waits) or as `npm start` runs it (a child process, killed by group). Both
 * send everything they log to a buffer that the suite searches for secrets.
 */

const root = join(import.meta.dirname, "../..");
const tsx = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;

/** Distinctive values, so a leak is found by plain search. */
export const SECRETS = {
  GH_DATPIPE_KEY: `dpk_${randomBytes(12).toString("hex")}`,
  METRICS_API_TOKEN: `mtk_${randomBytes(12).toString("hex")}`,
  WEBHOOK_SECRET: `whs_${randomBytes(12).toString("hex")}`,
  /** The installation token the fake GitHub hands out. */
  INSTALLATION_TOKEN: "ghs_fake",
};

/** Every secret as a search string; the private key by each line of its body. */
export function secretNeedles(): string[] {
  const keyLines = testPrivateKey()
    .split("\n")
    .filter((l) => l.length >= 40 && !l.startsWith("-----"));
  return [
    SECRETS.GH_DATPIPE_KEY,
    SECRETS.METRICS_API_TOKEN,
    SECRETS.INSTALLATION_TOKEN,
    ...keyLines,
  ];
}

/** The secrets found in `text` (their names, never their values). */
export function leakedSecrets(text: string): string[] {
  const found: string[] = [];
  const named: [string, string][] = [
    ["GH_DATPIPE_KEY", SECRETS.GH_DATPIPE_KEY],
    ["METRICS_API_TOKEN", SECRETS.METRICS_API_TOKEN],
    ["installation token", SECRETS.INSTALLATION_TOKEN],
  ];
  for (const [name, value] of named) if (text.includes(value)) found.push(name);
  if (
    secretNeedles()
      .slice(3)
      .some((line) => text.includes(line))
  )
    found.push("PRIVATE_KEY");
  return found;
}

/** Collects log output: one string per write. */
export class LogBuffer {
  readonly chunks: string[] = [];
  text(): string {
    return this.chunks.join("");
  }
  stream(): Writable {
    return new Writable({
      write: (chunk: Buffer, _enc, done) => {
        this.chunks.push(chunk.toString("utf8"));
        done();
      },
    });
  }
}

/** A fake GitHub whose answers can be replaced by faults, per request. */
export class FaultyGitHub extends FakeGitHub {
  private faults: {
    match: (method: string, path: string) => boolean;
    answer: FakeResponse;
    left: number;
  }[] = [];
  readonly faulted: string[] = [];

  /** The next `times` requests matching answer `answer` instead (recorded, state untouched). */
  fail(match: (method: string, path: string) => boolean, answer: FakeResponse, times = 1) {
    this.faults.push({ match, answer, left: times });
    return this;
  }

  override handle(method: string, rawPath: string, body: Record<string, unknown> | null) {
    const path = new URL(rawPath, "http://fake").pathname.replace(/^\/api\/v3/, "");
    const fault = this.faults.find((f) => f.left > 0 && f.match(method, path));
    if (fault) {
      fault.left--;
      this.faulted.push(`${method} ${path} -> ${fault.answer.status}`);
      this.requests.push({ method, path, query: {}, body, at: Date.now() });
      return fault.answer;
    }
    return super.handle(method, rawPath, body);
  }
}

export const INSTALLATION = 7001;
export const OWNER = "octo-org";
export const TRACKING_ISSUE = 1;

/**
 * A workspace of `names` (repositories of OWNER) with a labelled tracking issue in the
 * first, in the database and on the fake GitHub, and an admin who comments.
 */
export async function seedWorkspace(
  db: Queryable,
  github: FakeGitHub,
  names: string[],
): Promise<void> {
  await db.query(
    `insert into workspaces (installation_id, account_login) values ($1::bigint, $2::text)`,
    [INSTALLATION, OWNER],
  );
  for (const [i, name] of names.entries()) {
    await db.query(
      `insert into workspace_repositories (installation_id, repository_id, owner, name)
       values ($1::bigint, $2::bigint, $3::text, $4::text)`,
      [INSTALLATION, repoId(i), OWNER, name],
    );
    github.addRepo({ id: repoId(i), owner: OWNER, name });
  }
  github.addIssue(OWNER, names[0]!, {
    number: TRACKING_ISSUE,
    title: "Workspace backfill",
    labels: ["workspace-backfill"],
  });
  github.setPermission("admin-user", "admin");
}

function repoId(i: number) {
  return 90_000 + i;
}

let commentSeq = 5_000_000;

/** The parts of an `issue_comment.created` payload the cases patch; the rest as GitHub sends it. */
export interface CommentPayload extends Record<string, unknown> {
  installation: { id: number; node_id: string };
  repository: { id: number; name: string; full_name: string; owner: { login: string } };
  issue: { number: number; html_url: string; labels: unknown[]; pull_request?: unknown };
  comment: { id: number; body: string; user: { login: string } };
  sender: { login: string; type: string };
}

/** A real `issue_comment.created` payload: `body` by `login` on the tracking issue. */
export function commentPayload(
  body: string,
  options: { login?: string; repository?: string; commentId?: number } = {},
) {
  const p = examplePayload<CommentPayload>("issue_comment", "created");
  const name = options.repository ?? "alpha";
  p.installation = { id: INSTALLATION, node_id: "x" };
  p.repository.id = 90_000;
  p.repository.name = name;
  p.repository.full_name = `${OWNER}/${name}`;
  p.repository.owner.login = OWNER;
  p.issue.number = TRACKING_ISSUE;
  p.issue.html_url = `https://github.com/${OWNER}/${name}/issues/${TRACKING_ISSUE}`;
  p.issue.labels = [{ id: 1, name: "workspace-backfill", color: "0e8a16" }];
  delete p.issue.pull_request;
  p.comment.id = options.commentId ?? ++commentSeq;
  p.comment.body = body;
  p.comment.user.login = options.login ?? "admin-user";
  p.sender.login = options.login ?? "admin-user";
  p.sender.type = "User";
  return p;
}

const signers = new Map<string, Webhooks>();

/** `sha256=…` of `body` under `secret` (default: the app's), as GitHub signs deliveries. */
export function signBody(body: string, secret = SECRETS.WEBHOOK_SECRET): Promise<string> {
  let signer = signers.get(secret);
  if (!signer) {
    signer = new Webhooks({ secret });
    signers.set(secret, signer);
  }
  return signer.sign(body);
}

/** POSTs a webhook signed with `secret` (as GitHub does) and answers the HTTP status. */
export async function sendWebhook(
  url: string,
  name: string,
  payload: unknown,
  options: { id?: string; secret?: string } = {},
): Promise<number> {
  const body = JSON.stringify(payload);
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": name,
      "x-github-delivery": options.id ?? `d-${randomBytes(6).toString("hex")}`,
      "x-hub-signature-256": await signBody(body, options.secret),
    },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

export interface ItemRowView {
  name: string;
  status: string;
  error: string | null;
  events_found: number | null;
  job_id: string | null;
}

export async function runRows(db: Queryable) {
  const runs = (
    await db.query<{ id: number; status: string; progress_comment_id: number | null }>(
      `select b.id, b.status, r.progress_comment_id
         from backfill_runs b left join run_reports r on r.run_id = b.id order by b.id`,
    )
  ).rows;
  const items = (
    await db.query<ItemRowView & { run_id: number }>(
      `select run_id, name, status, error, events_found, job_id
         from backfill_items order by run_id, position`,
    )
  ).rows;
  return { runs, items };
}

/** Waits until the workspace's last run is terminal; returns its id. */
export function waitForRunEnd(db: Queryable, timeoutMs = 20_000): Promise<number> {
  return waitFor(
    "the run to end",
    async () => {
      const { rows } = await db.query<{ id: number }>(
        `select id from backfill_runs
          where status in ('completed', 'failed', 'cancelled') order by id desc limit 1`,
      );
      return rows[0]?.id;
    },
    timeoutMs,
  );
}

export interface InProcessApp {
  url: string;
  webhookUrl: string;
  engine: Engine;
  surfaces: Surfaces;
  logs: LogBuffer;
  stop(): Promise<void>;
}

/**
 * The app as `npm start` wires it, in this process: Probot's server on a free port, the
 * real engine (with `tuning` shortening its waits) and GitHub at `githubHost`. With
 * `throttle: false` writes are not spaced out, as in Probot's own tests.
 */
export async function startInProcessApp(options: {
  db: Db;
  githubHost: string;
  env?: Record<string, string>;
  tuning?: Partial<EngineTuning>;
  throttle?: boolean;
}): Promise<InProcessApp> {
  const logs = new LogBuffer();
  // The app's own logger (as `npm start` makes it), writing to the buffer.
  const log = (await createLogger({ LOG_LEVEL: "trace" }, logs.stream())) as unknown as Logger;
  const config = readConfig({
    GH_DATPIPE_KEY: SECRETS.GH_DATPIPE_KEY,
    METRICS_API_TOKEN: SECRETS.METRICS_API_TOKEN,
    ...options.env,
  });
  const engine = createEngine({ db: options.db, config, log, tuning: options.tuning });
  let surfaces: Surfaces | undefined;
  const defaults: ConstructorParameters<typeof Probot>[0] = {
    appId: 123,
    privateKey: testPrivateKey(),
    secret: SECRETS.WEBHOOK_SECRET,
    baseUrl: `http://${options.githubHost}/api/v3`,
    log,
  };
  if (options.throttle === false) {
    defaults.Octokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({
      ...o,
      throttle: { enabled: false },
      retry: { enabled: false },
    }));
  }
  const port = await freePort();
  const server = new Server({ Probot: Probot.defaults(defaults), port, host: "127.0.0.1", log });
  await server.load(
    createApp({
      db: options.db,
      config,
      engine,
      onSurfaces: (s) => {
        surfaces = s;
      },
    }),
  );
  await server.start();
  await engine.start();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    webhookUrl: `${url}/api/github/webhooks`,
    engine,
    surfaces: surfaces!,
    logs,
    async stop() {
      await engine.stop();
      await surfaces?.idle();
      surfaces?.stop();
      await server.stop();
    },
  };
}

export interface AppProcess {
  child: ChildProcess;
  url: string;
  webhookUrl: string;
  output(): string;
  exited: Promise<number | null>;
  kill(): Promise<void>;
}

/** `src/main.ts` as `npm start` runs it, in its own process group, ready when /ping answers. */
export async function startAppProcess(
  env: Record<string, string>,
  logs: LogBuffer,
): Promise<AppProcess> {
  const port = await freePort();
  const base = { ...process.env };
  for (const k of Object.keys(base))
    if (/^(BACKFILL_|GH_DAT|METRICS_|DATABASE_URL)/.test(k)) delete base[k];
  const child = spawn(process.execPath, ["--import", tsx, join(root, "src/main.ts")], {
    cwd: root,
    env: {
      ...base,
      NODE_ENV: "production",
      LOG_LEVEL: "debug",
      LOG_FORMAT: "json",
      APP_ID: "123",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: SECRETS.WEBHOOK_SECRET,
      GH_DATPIPE_KEY: SECRETS.GH_DATPIPE_KEY,
      METRICS_API_TOKEN: SECRETS.METRICS_API_TOKEN,
      GHE_PROTOCOL: "http",
      HOST: "127.0.0.1",
      PORT: String(port),
      AUTO_BACKFILL_ON_INSTALL: "false",
      ...env,
    },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const collect = (d: Buffer) => {
    out += d;
    logs.chunks.push(d.toString("utf8"));
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const app: AppProcess = {
    child,
    url,
    webhookUrl: `${url}/api/github/webhooks`,
    output: () => out,
    exited,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {}
      await exited;
    },
  };
  try {
    await waitFor(
      "the app to answer /ping",
      async () => {
        if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${out}`);
        return (await fetch(`${url}/ping`)).status === 200;
      },
      30_000,
      50,
    );
  } catch (err) {
    await app.kill();
    throw err;
  }
  return app;
}
