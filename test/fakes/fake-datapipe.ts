import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Queryable } from "../../src/db/index.js";

/**
 * A gh-datapipe stand-in on loopback (contract §4), for tests, benches and the demo.
 * Every call is recorded with a timestamp and a sequence number; each repository can be
 * scripted with faults; a job that completes writes its events through a pluggable writer.
 */

/** One scripted answer. `hang` never answers (the client's timeout must fire). */
export type Reply =
  | { status: number; json?: unknown; raw?: string; headers?: Record<string, string> }
  | { hang: true };

export interface RepoScript {
  /** Answers to the first trigger calls, in order; then the normal 202. */
  trigger?: Reply[];
  /** The answer to every trigger call (a permanent fault). */
  triggerAlways?: Reply;
  /** Answers to the first status calls of its job, in order; then the normal ones. */
  status?: Reply[];
  /** How the job ends; `never` stays running. Default `completed`. */
  outcome?: "completed" | "failed" | "cancelled" | "never";
  /** The job's error text when it fails. */
  error?: string;
  /** Status calls answered `running` before the terminal one. Default 1. */
  pollsUntilDone?: number;
  /** Events written when the job completes. Default: the server's `defaultRows`. */
  rows?: number;
  /** Stays `running` until `release()`. */
  hold?: boolean;
}

export interface FakeCall {
  /** Order among all calls and `tick()`s. */
  seq: number;
  /** `performance.timeOrigin + performance.now()` when the request arrived. */
  at: number;
  kind: "trigger" | "status" | "cancel" | "other";
  method: string;
  path: string;
  apiKey: string | undefined;
  repository?: string;
  days?: number;
  jobId?: string;
  /** HTTP status answered (undefined while hanging). */
  answered?: number;
  /** For status calls: the job status answered. */
  jobStatus?: string;
}

export interface FakeJob {
  id: string;
  repository: string;
  days: number;
  status: "queued" | "running" | "completed" | "failed" | "cancelled";
  polls: number;
  rowsWritten: number;
}

export interface RowsToWrite {
  jobId: string;
  repository: string;
  days: number;
  /** As scripted; undefined lets the writer decide (e.g. a realistic history). */
  rows: number | undefined;
}

/**
 * Writes a completed job's events (into `github_events_cache`, or anywhere); may resolve
 * to the number of rows it wrote, which the fake then reports as `rowsWritten`.
 */
export type RowWriter = (job: RowsToWrite) => Promise<unknown>;

export interface FakeDatapipeOptions {
  /** The key it accepts; other keys get 401. */
  apiKey?: string;
  writeRows?: RowWriter;
  defaultRows?: number;
  /** Answers trigger and status at once and completes jobs on the first status call. */
  instant?: boolean;
}

export interface FakeDatapipe {
  url: string;
  calls: FakeCall[];
  jobs: Map<string, FakeJob>;
  /** Most jobs running at once (triggered, not yet reported terminal or cancelled). */
  maxInFlight: number;
  script(repository: string, script: RepoScript): void;
  /** Lets a held job finish on its next status call. */
  release(repository: string): void;
  triggers(): FakeCall[];
  /** Next sequence number, to place the test's own observations among the calls. */
  tick(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeDatapipe(options: FakeDatapipeOptions = {}): Promise<FakeDatapipe> {
  const apiKey = options.apiKey ?? "test-key";
  const scripts = new Map<string, RepoScript>();
  const consumed = new Map<string, { trigger: number; status: number }>();
  const held = new Set<string>();
  const sockets = new Set<Socket>();
  let seq = 0;
  let inFlight = 0;
  let jobCounter = 0;

  const fake: FakeDatapipe = {
    url: "",
    calls: [],
    jobs: new Map(),
    maxInFlight: 0,
    script(repository, script) {
      scripts.set(repository.toLowerCase(), script);
      if (script.hold) held.add(repository.toLowerCase());
    },
    release(repository) {
      held.delete(repository.toLowerCase());
    },
    triggers: () => fake.calls.filter((c) => c.kind === "trigger"),
    tick: () => ++seq,
    reset() {
      scripts.clear();
      consumed.clear();
      held.clear();
      fake.calls.length = 0;
      fake.jobs.clear();
      fake.maxInFlight = 0;
      inFlight = 0;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const usage = (repository: string) => {
    const key = repository.toLowerCase();
    let u = consumed.get(key);
    if (!u) {
      u = { trigger: 0, status: 0 };
      consumed.set(key, u);
    }
    return u;
  };

  const send = (res: ServerResponse, call: FakeCall, reply: Reply) => {
    if ("hang" in reply) return;
    call.answered = reply.status;
    const body = reply.raw ?? (reply.json === undefined ? "" : JSON.stringify(reply.json));
    res.writeHead(reply.status, {
      "Content-Type": reply.raw === undefined ? "application/json" : "text/html",
      ...reply.headers,
    });
    res.end(body);
  };

  const finishJob = (job: FakeJob, status: FakeJob["status"]) => {
    if (job.status === "completed" || job.status === "failed" || job.status === "cancelled") return;
    job.status = status;
    inFlight--;
  };

  async function handleTrigger(res: ServerResponse, call: FakeCall, body: string) {
    let parsed: { repository?: unknown; days?: unknown };
    try {
      parsed = JSON.parse(body);
    } catch {
      return send(res, call, { status: 400, json: { error: "invalid JSON" } });
    }
    const repository = String(parsed.repository ?? "");
    call.repository = repository;
    call.days = Number(parsed.days);
    const script = scripts.get(repository.toLowerCase()) ?? {};
    const u = usage(repository);
    const scripted = script.trigger?.[u.trigger];
    u.trigger++;
    if (script.triggerAlways) return send(res, call, script.triggerAlways);
    if (scripted) return send(res, call, scripted);
    const id = `job-${++jobCounter}-${randomUUID().slice(0, 8)}`;
    fake.jobs.set(id, {
      id,
      repository,
      days: call.days,
      status: "queued",
      polls: 0,
      rowsWritten: 0,
    });
    inFlight++;
    fake.maxInFlight = Math.max(fake.maxInFlight, inFlight);
    call.jobId = id;
    send(res, call, { status: 202, json: { job_id: id, status: "queued" } });
  }

  async function handleStatus(res: ServerResponse, call: FakeCall, jobId: string) {
    call.jobId = jobId;
    const job = fake.jobs.get(jobId);
    if (!job) return send(res, call, { status: 404, json: { error: "job not found" } });
    call.repository = job.repository;
    const script = scripts.get(job.repository.toLowerCase()) ?? {};
    const u = usage(job.repository);
    const scripted = script.status?.[u.status];
    u.status++;
    if (scripted) return send(res, call, scripted);
    job.polls++;
    const answer = (extra: Record<string, unknown> = {}) => {
      call.jobStatus = job.status;
      send(res, call, { status: 200, json: { status: job.status, ...extra } });
    };
    const terminal =
      job.status === "completed" || job.status === "failed" || job.status === "cancelled";
    const outcome = script.outcome ?? "completed";
    const pollsUntilDone = options.instant ? 0 : (script.pollsUntilDone ?? 1);
    if (
      terminal ||
      outcome === "never" ||
      held.has(job.repository.toLowerCase()) ||
      job.polls <= pollsUntilDone
    ) {
      if (!terminal) job.status = "running";
      const progress = job.status === "completed" ? 100 : Math.min(99, job.polls * 10);
      return answer(job.status === "failed" ? { error: script.error ?? "failed" } : { progress });
    }
    if (outcome === "completed") {
      const rows = script.rows ?? options.defaultRows;
      let written: number | undefined;
      if (options.writeRows && (rows === undefined || rows > 0)) {
        const result = await options.writeRows({
          jobId: job.id,
          repository: job.repository,
          days: job.days,
          rows,
        });
        if (typeof result === "number") written = result;
      }
      job.rowsWritten = written ?? rows ?? 0;
      finishJob(job, "completed");
      return answer({ progress: 100 });
    }
    finishJob(job, outcome);
    return answer(outcome === "failed" ? { error: script.error ?? "failed", progress: 40 } : {});
  }

  function handleCancel(res: ServerResponse, call: FakeCall, jobId: string) {
    call.jobId = jobId;
    const job = fake.jobs.get(jobId);
    if (!job) return send(res, call, { status: 404, json: { error: "job not found" } });
    call.repository = job.repository;
    finishJob(job, "cancelled");
    send(res, call, { status: 200, json: { status: "cancelled" } });
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      const key = req.headers["x-api-key"];
      const call: FakeCall = {
        seq: ++seq,
        at: performance.timeOrigin + performance.now(),
        kind: "other",
        method: req.method ?? "GET",
        path,
        apiKey: Array.isArray(key) ? key[0] : key,
      };
      fake.calls.push(call);
      const body = Buffer.concat(chunks).toString("utf8");
      const status = /^\/api\/backfill\/status\/([^/?]+)$/.exec(path);
      const cancel = /^\/api\/backfill\/cancel\/([^/?]+)$/.exec(path);
      if (req.method === "POST" && path === "/api/backfill/trigger") call.kind = "trigger";
      else if (req.method === "GET" && status) call.kind = "status";
      else if (req.method === "POST" && cancel) call.kind = "cancel";
      const run = async () => {
        if (call.apiKey !== apiKey)
          return send(res, call, { status: 401, json: { error: "invalid API key" } });
        if (call.kind === "trigger") return handleTrigger(res, call, body);
        if (call.kind === "status") return handleStatus(res, call, decodeURIComponent(status![1]!));
        if (call.kind === "cancel") return handleCancel(res, call, decodeURIComponent(cancel![1]!));
        send(res, call, { status: 404, json: { error: "no such route" } });
      };
      run().catch((err) => {
        call.answered = 500;
        res.writeHead(500).end(String(err));
      });
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

export interface SyntheticEventsOptions {
  /** Spelling of the owner/name written, as gh-datapipe may differ from GitHub's. */
  spell?: (repository: string) => string;
  /** Event types to cycle through. Default: three stars for every fork. */
  eventTypes?: string[];
  now?: () => number;
}

/**
 * A `RowWriter` that inserts `rows` synthetic events spread evenly over the job's window,
 * the way gh-datapipe fills `github_events_cache`.
 */
export function syntheticEventsWriter(
  db: Queryable,
  options: SyntheticEventsOptions = {},
): RowWriter {
  const types = options.eventTypes ?? ["WatchEvent", "WatchEvent", "WatchEvent", "ForkEvent"];
  const now = options.now ?? Date.now;
  return async ({ jobId, repository, days, rows = 0 }) => {
    const [owner = "", name = ""] = (options.spell?.(repository) ?? repository).split("/");
    const windowMs = days * 86_400_000;
    const ids: string[] = [];
    const kinds: string[] = [];
    const actors: string[] = [];
    const times: string[] = [];
    for (let i = 0; i < rows; i++) {
      ids.push(`${jobId}-${i}`);
      kinds.push(types[i % types.length]!);
      actors.push(`user-${i}`);
      // Strictly inside the window: from a minute ago back to a minute after its start.
      times.push(
        new Date(now() - 60_000 - ((windowMs - 120_000) * i) / Math.max(1, rows)).toISOString(),
      );
    }
    await db.query(
      `insert into github_events_cache
         (event_id, event_type, actor_login, repository_owner, repository_name, payload, created_at)
       select e.id, e.kind, e.actor, $5::text, $6::text, '{}'::jsonb, e.at
         from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) as e(id, kind, actor, at)
       on conflict (event_id) do nothing`,
      [ids, kinds, actors, times, owner, name],
    );
    return rows;
  };
}
