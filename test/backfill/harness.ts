import type { EngineConfig } from "../../src/backfill/engine-deps.js";
import type { EngineTuning } from "../../src/backfill/engine-tuning.js";
import { silentLog } from "../../src/backfill/engine-log.js";
import type { Engine, EngineEvent, RunSnapshot } from "../../src/backfill/types.js";
import type { Db, Queryable } from "../../src/db/index.js";
import { waitFor } from "../helpers/wait-for.js";

export const KEY = "test-key";

/** Fast settings: every wait of the engine shortened, the contract's behaviour unchanged. */
export function testConfig(url: string, overrides: Partial<EngineConfig> = {}): EngineConfig {
  return {
    GH_DATPIPE_API_URL: url,
    GH_DATPIPE_KEY: KEY,
    BACKFILL_DELAY_MS: 60,
    BACKFILL_CONCURRENCY: 1,
    BACKFILL_POLL_INTERVAL_MS: 10,
    BACKFILL_JOB_TIMEOUT_MS: 5_000,
    ...overrides,
  };
}

export const testTuning: Partial<EngineTuning> = {
  leaseMs: 2_000,
  idleMs: 50,
  requestTimeoutMs: 500,
  retries: 2,
  minRetryDelayMs: 5,
  maxRetryDelayMs: 20,
};

export const quietLog = silentLog;

/** A workspace with its repositories, in the order given. */
export async function seedWorkspace(
  db: Queryable,
  installationId: number,
  repositories: string[],
  status: "active" | "suspended" | "deleted" = "active",
): Promise<void> {
  await db.query(
    `insert into workspaces (installation_id, account_login, status) values ($1::bigint, 'octo', $2::text)`,
    [installationId, status],
  );
  for (const [i, full] of repositories.entries()) {
    const [owner, name] = full.split("/");
    await db.query(
      `insert into workspace_repositories (installation_id, repository_id, owner, name)
       values ($1::bigint, $2::bigint, $3::text, $4::text)`,
      [installationId, installationId * 1000 + i + 1, owner, name],
    );
  }
}

export { waitFor } from "../helpers/wait-for.js";

/** Resolves with the run's snapshot once it is no longer active. */
export function waitForRunEnd(
  engine: Engine,
  runId: number,
  timeoutMs = 10_000,
): Promise<RunSnapshot> {
  return waitFor(
    `run ${runId} to end`,
    async () => {
      const run = await engine.getRun(runId);
      return run && !["pending", "processing"].includes(run.status) ? run : null;
    },
    timeoutMs,
  );
}

/** Records every event of an engine. */
export function recordEvents(engine: Engine): EngineEvent[] {
  const events: EngineEvent[] = [];
  engine.subscribe((e) => {
    events.push(e);
  });
  return events;
}

export const itemTable = (run: RunSnapshot) =>
  run.items.map((i) => ({
    repo: i.fullName,
    status: i.status,
    events: i.eventsFound,
    error: i.error,
  }));

/**
 * The engine's database with its idle turns counted: a turn in which the engine looked
 * for work, found none and asked when to look again (the `nextWakeMs` query). Waiting for
 * a few of them shows that the engine had every chance to act and did not, where a fixed
 * sleep would pass on a slow machine without the engine having looked at all.
 */
export function countIdleTurns(db: Db): { db: Db; idleTurns(n: number): Promise<void> } {
  let turns = 0;
  const waiting = new Set<{ at: number; resolve: () => void }>();
  const counted: Db = {
    kind: db.kind,
    transaction: (fn) => db.transaction(fn),
    session: () => db.session(),
    close: () => db.close(),
    query: async <R>(text: string, params?: unknown[]) => {
      const result = await db.query<R>(text, params);
      if (text.includes("as wait_ms")) {
        turns++;
        for (const w of waiting) {
          if (turns >= w.at) {
            waiting.delete(w);
            w.resolve();
          }
        }
      }
      return result;
    },
  };
  return {
    db: counted,
    idleTurns: (n) => new Promise<void>((resolve) => waiting.add({ at: turns + n, resolve })),
  };
}
