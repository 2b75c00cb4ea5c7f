import type { PGlite, Transaction } from "@electric-sql/pglite";
import type { Db, Queryable, QueryResult } from "./db.js";

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** PGlite parsers matching `pgTypes`: bigint as a safe JS number, numeric as text like pg. */
export const pgliteParsers = {
  [INT8_OID]: (value: string) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${value} exceeds 2^53`);
    return n;
  },
  [NUMERIC_OID]: (value: string) => value,
};

/** As pg counts: rows returned, else rows affected. */
function rowCount(result: { rows: unknown[]; affectedRows?: number } | undefined): number {
  if (!result) return 0;
  return result.rows.length > 0 ? result.rows.length : (result.affectedRows ?? 0);
}

async function run<R>(
  q: PGlite | Transaction,
  text: string,
  params?: unknown[],
): Promise<QueryResult<R>> {
  // Like pg: a query without parameters may hold several statements (migrations).
  if (!params || params.length === 0) {
    const results = await q.exec(text);
    const last = results.at(-1);
    return { rows: (last?.rows ?? []) as R[], rowCount: rowCount(last) };
  }
  const result = await q.query<R>(text, params);
  return { rows: result.rows, rowCount: rowCount(result) };
}

/**
 * The embedded database through PGlite's own API. (PGlite's node-postgres adapter loses
 * its connection after the first SQL error, so it is not used.) PGlite runs one query at a
 * time and holds other queries while a transaction is open.
 */
export function pgliteDb(pglite: PGlite, onClose: () => Promise<void>): Db {
  return {
    kind: "embedded",
    query: (text, params) => run(pglite, text, params),
    transaction: (fn) =>
      pglite.transaction((tx) => {
        const q: Queryable = { query: (text, params) => run(tx, text, params) };
        return fn(q);
      }),
    async session() {
      return {
        query: (text, params) => run(pglite, text, params),
        lost: false,
        async release() {},
      };
    },
    async close() {
      await pglite.close();
      await onClose();
    },
  };
}
