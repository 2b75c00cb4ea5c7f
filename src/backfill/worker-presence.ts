import type { Db, Session } from "../db/index.js";

/**
 * The first key of the two-key advisory lock each live worker holds on its own session
 * (the second is `hashtext(worker id)`). Any constant no other lock of the database uses.
 */
const PRESENCE_LOCK = 727_104_001;

/** The second keys of the presence locks held now in this database: the live workers. */
const LIVE_WORKERS = `select l.objid from pg_locks l
  where l.locktype = 'advisory' and l.classid = ${PRESENCE_LOCK}::oid and l.objsubid = 2
    and l.granted and l.database = (select d.oid from pg_database d where d.datname = current_database())`;

/**
 * SQL that is true when the lease of the item aliased `a` binds nobody: released, expired,
 * or held by a worker whose presence lock is free — its process died or its session ended,
 * which Postgres notices as soon as the connection closes (on the embedded database, every
 * earlier process: the data-dir lock proves it gone, and its session went with it). The
 * subquery is uncorrelated, so `pg_locks` is read once per statement. A hash collision
 * with a live worker only makes a dead worker's lease last until it expires.
 */
export const leaseFree = (a: string) =>
  `(${a}.locked_until is null or ${a}.locked_until < now()
    or hashtext(${a}.locked_by)::oid not in (${LIVE_WORKERS}))`;

export interface WorkerPresence {
  /** Holds the worker's lock, taking it again after a lost connection; false if it cannot. */
  ensure(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * A worker's proof of life: a session-level advisory lock on a connection of its own,
 * held while the engine runs. The lease still guards against a stalled but living process.
 */
export function workerPresence(db: Db, workerId: string): WorkerPresence {
  let session: Session | null = null;
  const keys = [PRESENCE_LOCK, workerId];
  return {
    async ensure() {
      if (session && !session.lost) return true;
      await session?.release();
      session = null;
      const s = await db.session();
      try {
        const { rows } = await s.query<{ held: boolean }>(
          "select pg_try_advisory_lock($1::int, hashtext($2::text)) as held",
          keys,
        );
        if (rows[0]?.held) {
          session = s;
          return true;
        }
      } catch (err) {
        await s.release();
        throw err;
      }
      await s.release();
      return false;
    },
    async release() {
      const s = session;
      session = null;
      if (!s) return;
      await s.query("select pg_advisory_unlock($1::int, hashtext($2::text))", keys).catch(() => {});
      await s.release();
    },
  };
}
