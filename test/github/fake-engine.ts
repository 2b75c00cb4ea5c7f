import type {
  Engine,
  EngineListener,
  ItemSnapshot,
  ItemStatus,
  RequestResult,
  RetryResult,
  RunRequest,
  RunSnapshot,
  TriggerSource,
} from "../../src/backfill/types.js";
import type { Db, Queryable } from "../../src/db/index.js";

/**
 * A small engine over the real tables, driven by the test: runs are created as the real
 * engine does (delivery recorded in the same transaction, one active run per workspace),
 * and items finish when the test says so.
 */
export class FakeEngine implements Engine {
  private listeners = new Set<EngineListener>();
  readonly requests: RunRequest[] = [];
  constructor(private readonly db: Db) {}

  async start() {}
  async stop() {}

  subscribe(listener: EngineListener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async request(request: RunRequest): Promise<RequestResult> {
    this.requests.push(request);
    const id = await this.db.transaction(async (tx) => {
      const seen = await this.recordDelivery(
        tx,
        request.deliveryId,
        request.event,
        request.installationId,
      );
      const active = await this.activeId(tx, request.installationId);
      if (seen || active) return { id: active ?? 0, kind: seen ? "duplicate" : "active" } as const;
      const repos =
        request.repositories ??
        (
          await tx.query<{ owner: string; name: string; repositoryId: number }>(
            `select owner, name, repository_id as "repositoryId" from workspace_repositories
              where installation_id = $1::bigint order by position`,
            [request.installationId],
          )
        ).rows;
      return { id: await this.insert(tx, request, repos, null), kind: "created" } as const;
    });
    const run = (await this.getRun(id.id))!;
    return { kind: id.kind, run };
  }

  async retryFailed(
    installationId: number,
    options: {
      source: TriggerSource;
      requestedBy: string | null;
      deliveryId?: string;
      event?: string;
    },
  ): Promise<RetryResult> {
    const last = await this.lastRun(installationId);
    const seen = await this.db.transaction((tx) =>
      this.recordDelivery(tx, options.deliveryId, options.event, installationId),
    );
    if (!last) return { kind: "nothing" };
    if (seen) return { kind: "duplicate", run: last };
    if (last.status === "pending" || last.status === "processing")
      return { kind: "active", run: last };
    const failed = last.items.filter((i) => i.status === "failed");
    if (failed.length === 0) return { kind: "nothing" };
    const id = await this.db.transaction((tx) =>
      this.insert(
        tx,
        { installationId, days: last.days, source: "retry", requestedBy: options.requestedBy },
        failed,
        last.id,
      ),
    );
    return { kind: "created", run: (await this.getRun(id))! };
  }

  async cancel(installationId: number): Promise<RunSnapshot | null> {
    const run = await this.activeRun(installationId);
    if (!run) return null;
    await this.db.query(
      `update backfill_items set status = 'cancelled', finished_at = now()
        where run_id = $1::bigint and status in ('pending', 'processing')`,
      [run.id],
    );
    await this.db.query(
      "update backfill_runs set status = 'cancelled', finished_at = now() where id = $1::bigint",
      [run.id],
    );
    const after = (await this.getRun(run.id))!;
    await this.emit({ type: "run.finished", run: after });
    return after;
  }

  async activeRun(installationId: number) {
    const id = await this.activeId(this.db, installationId);
    return id ? this.getRun(id) : null;
  }

  async lastRun(installationId: number) {
    const { rows } = await this.db.query<{ id: number }>(
      "select id from backfill_runs where installation_id = $1::bigint order by id desc limit 1",
      [installationId],
    );
    return rows[0] ? this.getRun(rows[0].id) : null;
  }

  async getRun(runId: number): Promise<RunSnapshot | null> {
    const { rows } = await this.db.query<Record<string, never>>(
      "select * from backfill_runs where id = $1::bigint",
      [runId],
    );
    const r = rows[0] as Record<string, unknown> | undefined;
    if (!r) return null;
    const items = (
      await this.db.query<Record<string, unknown>>(
        "select * from backfill_items where run_id = $1::bigint order by position",
        [runId],
      )
    ).rows.map(
      (i): ItemSnapshot => ({
        id: i.id as number,
        position: i.position as number,
        owner: i.owner as string,
        name: i.name as string,
        fullName: `${i.owner}/${i.name}`,
        repositoryId: (i.repository_id as number | null) ?? null,
        status: i.status as ItemStatus,
        jobId: null,
        progress: null,
        eventsFound: (i.events_found as number | null) ?? null,
        error: (i.error as string | null) ?? null,
        startedAt: null,
        finishedAt: (i.finished_at as Date | null) ?? null,
      }),
    );
    const count = (s: ItemStatus) => items.filter((i) => i.status === s).length;
    return {
      id: r.id as number,
      installationId: r.installation_id as number,
      status: r.status as RunSnapshot["status"],
      days: r.days as number,
      source: r.source as TriggerSource,
      requestedBy: (r.requested_by as string | null) ?? null,
      retryOf: (r.retry_of as number | null) ?? null,
      paused: false,
      createdAt: r.created_at as Date,
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

  async pause() {}
  async resume() {}
  async endWorkspace(installationId: number) {
    await this.cancel(installationId);
  }

  /** Test control: emits run.started. */
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

  private async recordDelivery(
    tx: Queryable,
    deliveryId: string | undefined,
    event: string | undefined,
    installationId: number,
  ) {
    if (!deliveryId) return false;
    const { rowCount } = await tx.query(
      `insert into webhook_deliveries (delivery_id, event, installation_id) values ($1::text, $2::text, $3::bigint)
       on conflict (delivery_id) do nothing`,
      [deliveryId, event ?? "unknown", installationId],
    );
    return rowCount === 0;
  }

  private async activeId(q: Queryable, installationId: number) {
    const { rows } = await q.query<{ id: number }>(
      "select id from backfill_runs where installation_id = $1::bigint and status in ('pending', 'processing')",
      [installationId],
    );
    return rows[0]?.id ?? null;
  }

  private async insert(
    tx: Queryable,
    request: Pick<RunRequest, "installationId" | "days" | "source" | "requestedBy">,
    repos: { owner: string; name: string; repositoryId?: number | null }[],
    retryOf: number | null,
  ) {
    const { rows } = await tx.query<{ id: number }>(
      `insert into backfill_runs (installation_id, days, source, requested_by, retry_of)
       values ($1::bigint, $2::integer, $3::text, $4::text, $5::bigint) returning id`,
      [request.installationId, request.days, request.source, request.requestedBy, retryOf],
    );
    const id = rows[0]!.id;
    await tx.query(
      `insert into backfill_items (run_id, position, owner, name, repository_id)
       select $1::bigint, r.ord, r.owner, r.name, r.id
         from unnest($2::text[], $3::text[], $4::bigint[]) with ordinality as r(owner, name, id, ord)`,
      [
        id,
        repos.map((r) => r.owner),
        repos.map((r) => r.name),
        repos.map((r) => r.repositoryId ?? null),
      ],
    );
    return id;
  }
}
