import pg from "pg";

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

/** Anything that runs a parameterised query: the database itself or a transaction. */
export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<R>>;
  /**
   * A large statement the app sends often with the same text (`name` names that text): on
   * Postgres it is prepared once per connection with one plan for any parameters, on
   * connections of its own, which saves planning it at every call. Absent elsewhere (use
   * `query`).
   */
  queryPlanned?<R = Record<string, unknown>>(
    name: string,
    text: string,
    params: unknown[],
  ): Promise<QueryResult<R>>;
}

/**
 * The app's one database interface, the same over a `pg` pool and the embedded PGlite.
 * Inside `transaction`, use only the given `tx`: the embedded database has a single
 * connection, so a query on the db itself would wait for the transaction to end.
 */
export interface Db extends Queryable {
  readonly kind: "postgres" | "embedded";
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * A connection of its own, outside the pool, for session state such as an advisory lock
   * that must live exactly as long as this process does. On the embedded database it is
   * the one connection: the process and its session end together anyway.
   */
  session(): Promise<Session>;
  close(): Promise<void>;
}

export interface Session extends Queryable {
  /** The connection broke (the server restarted, or ended it): its session state is gone. */
  readonly lost: boolean;
  /** Ends the connection (and so its session locks). */
  release(): Promise<void>;
}

// bigint (GitHub ids, counts) as JS numbers: GitHub ids stay far below 2^53, and both
// backends then agree (pg would give strings, PGlite's own API numbers).
const INT8_OID = 20;
export const pgTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8_OID) {
      return (value: string) => {
        const n = Number(value);
        if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${value} exceeds 2^53`);
        return n;
      };
    }
    return pg.types.getTypeParser(oid, format as "text");
  },
};

export interface PoolDbOptions {
  onError?: (err: Error) => void;
  onClose?: () => Promise<void>;
}

/** Wraps a `pg` pool on a real Postgres. */
export function poolDb(pool: pg.Pool, options: PoolDbOptions): Db {
  // An idle client losing its server (Postgres restarted) must not crash the process;
  // the pool drops it and the next query connects again.
  pool.on("error", (err) => options.onError?.(err));
  const run = async <R>(
    q: Queryable | pg.Pool | pg.PoolClient,
    text: string,
    params?: unknown[],
  ) => {
    const result = await (q as pg.Pool).query(text, params as unknown[]);
    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
  };
  const sessions = new Set<pg.Client>();
  // Statements prepared with a generic plan run on a pool of their own: the setting would
  // make every other statement on a shared connection plan generically too.
  let planned: pg.Pool | undefined;
  const plannedPool = () => {
    if (planned === undefined) {
      planned = new pg.Pool({
        ...pool.options,
        max: Math.min(pool.options.max ?? 10, 4),
        options: `${pool.options.options ?? ""} -c plan_cache_mode=force_generic_plan`.trim(),
      });
      planned.on("error", (err) => options.onError?.(err));
    }
    return planned;
  };
  return {
    kind: "postgres",
    query: (text, params) => run(pool, text, params),
    async queryPlanned<R>(name: string, text: string, params: unknown[]) {
      const result = await plannedPool().query({ name, text, values: params });
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    },
    async session() {
      const client = new pg.Client(pool.options);
      let lost = false;
      const end = () => {
        lost = true;
        sessions.delete(client);
      };
      // As for a checked-out client: a broken connection must not end the process.
      client.on("error", (err) => {
        end();
        options.onError?.(err);
      });
      client.on("end", end);
      await client.connect();
      sessions.add(client);
      return {
        query: (text, params) => run(client, text, params),
        get lost() {
          return lost;
        },
        async release() {
          end();
          await client.end().catch(() => {});
        },
      };
    },
    async transaction(fn) {
      const client = await pool.connect();
      // A checked-out client has no pool listener: its server going away (a Postgres
      // restart) would be an unhandled 'error' event and end the process. The query in
      // flight fails instead, and the client is discarded on release.
      let broken = false;
      const onClientError = (err: Error) => {
        broken = true;
        options.onError?.(err);
      };
      client.on("error", onClientError);
      try {
        await client.query("begin");
        const tx: Queryable = { query: (text, params) => run(client, text, params) };
        const value = await fn(tx);
        await client.query("commit");
        return value;
      } catch (err) {
        try {
          await client.query("rollback");
        } catch {
          broken = true;
        }
        throw err;
      } finally {
        client.off("error", onClientError);
        client.release(broken);
      }
    },
    async close() {
      await Promise.all([...sessions].map((c) => c.end().catch(() => {})));
      await Promise.all([pool.end(), planned?.end()]);
      await options.onClose?.();
    },
  };
}
