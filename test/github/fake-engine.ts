import { cancelRun } from "../../src/backfill/cancel-run.js";
import { createRetryRun, createRun } from "../../src/backfill/create-run.js";
import { findActiveRunId, findLastRunId, loadRun } from "../../src/backfill/load-run.js";
import type {
  Engine,
  EngineListener,
  RequestResult,
  RetryResult,
  RunRequest,
  RunSnapshot,
  TriggerSource,
} from "../../src/backfill/types.js";
import type { Db } from "../../src/db/index.js";

/**
 * The engine's own run store (run creation with its delivery, retries, cancellation,
 * snapshots: the real modules, so they cannot drift) with the worker loop left out: items
 * start and end when the test says so, and the events go out as the engine sends them. The
 * surfaces' tests then control exactly which state each GitHub write shows.
 */
export class FakeEngine implements Engine {
  private listeners = new Set<EngineListener>();
  readonly requests: RunRequest[] = [];
  constructor(private readonly db: Db) {}

  async start() {}
  async stop() {}
  async pause() {}
  async resume() {}

  subscribe(listener: EngineListener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async request(request: RunRequest): Promise<RequestResult> {
    this.requests.push(request);
    const created = await createRun(this.db, request);
    return { kind: created.kind, run: (await this.getRun(created.runId))! };
  }

  async retryFailed(
    installationId: number,
    options: {
      source: TriggerSource;
      requestedBy: string | null;
      deliveryId?: string;
      event?: string;
      action?: string | null;
    },
  ): Promise<RetryResult> {
    const created = await createRetryRun(this.db, installationId, options);
    if (!created) return { kind: "nothing" };
    return { kind: created.kind, run: (await this.getRun(created.runId))! };
  }

  async cancel(installationId: number): Promise<RunSnapshot | null> {
    const cancelled = await cancelRun(this.db, installationId);
    if (!cancelled) return null;
    const after = (await this.getRun(cancelled.runId))!;
    await this.emit({ type: "run.finished", run: after });
    return after;
  }

  async activeRun(installationId: number) {
    const id = await findActiveRunId(this.db, installationId);
    return id === null ? null : this.getRun(id);
  }

  async lastRun(installationId: number) {
    const id = await findLastRunId(this.db, installationId);
    return id === null ? null : this.getRun(id);
  }

  async getRun(runId: number): Promise<RunSnapshot | null> {
    return (await loadRun(this.db, runId))?.snapshot ?? null;
  }

  async endWorkspace(installationId: number) {
    await this.cancel(installationId);
  }

  /** Test control: the run is under way (`run.started`). */
  async startRun(runId: number) {
    await this.db.query("update backfill_runs set status = 'processing' where id = $1::bigint", [
      runId,
    ]);
    await this.emit({ type: "run.started", run: (await this.getRun(runId))! });
  }

  /** Test control: one item ends; the run ends with its last item. */
  async finishItem(
    runId: number,
    fullName: string,
    end: { status: "completed" | "failed"; eventsFound?: number; error?: string },
  ) {
    const [owner, name] = fullName.split("/");
    await this.db.query(
      `update backfill_items set status = $4::text, events_found = $5::integer, error = $6::text, finished_at = now()
        where run_id = $1::bigint and owner = $2::text and name = $3::text`,
      [runId, owner, name, end.status, end.eventsFound ?? null, end.error ?? null],
    );
    let run = (await this.getRun(runId))!;
    const item = run.items.find((i) => i.fullName === fullName)!;
    await this.emit({ type: "item.changed", run, item });
    if (run.done === run.total) {
      const status = run.failed > 0 ? "failed" : "completed";
      await this.db.query(
        "update backfill_runs set status = $2::text, finished_at = now() where id = $1::bigint",
        [runId, status],
      );
      run = (await this.getRun(runId))!;
      await this.emit({ type: "run.finished", run });
    }
  }

  private async emit(event: Parameters<EngineListener>[0]) {
    for (const l of this.listeners) await l(event);
  }
}
