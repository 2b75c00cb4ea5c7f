import type { Db, Queryable } from "../db/index.js";

export type Channel = "slack" | "discord";

export interface OutboxEntry {
  id: number;
  runId: number;
  channel: Channel;
  attempts: number;
  message: string | null;
}

/**
 * Records which channels are configured now (this module is the only writer of
 * `notify_channels` and `notification_outbox`; migration 0017's trigger adds a row per
 * run end). A channel newly set starts with the runs that end from now on; an unset one is
 * removed, so setting it again later does not post the runs that ended meanwhile.
 */
export async function setChannels(db: Db, channels: Channel[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query("delete from notify_channels where not (channel = any($1::text[]))", [channels]);
    await tx.query(
      `insert into notify_channels (channel) select unnest($1::text[])
       on conflict (channel) do nothing`,
      [channels],
    );
  });
}

/**
 * Takes up to `limit` messages due now for the given channels with a lease; a process
 * killed mid-send leaves its lease to expire and another takes the message over.
 */
export async function claimMessages(
  db: Queryable,
  claim: { channels: Channel[]; workerId: string; leaseMs: number; limit: number },
): Promise<OutboxEntry[]> {
  const { rows } = await db.query<{
    id: number;
    run_id: number;
    channel: Channel;
    attempts: number;
    message: string | null;
  }>(
    `update notification_outbox o
        set locked_by = $2::text, locked_until = now() + make_interval(secs => $3::double precision)
      where o.id in (
              select id from notification_outbox
               where status = 'pending' and next_attempt_at <= now()
                 and channel = any($1::text[])
                 and (locked_until is null or locked_until <= now())
               order by next_attempt_at, id
               limit $4::int
               for update skip locked)
     returning o.id, o.run_id, o.channel, o.attempts, o.message`,
    [claim.channels, claim.workerId, claim.leaseMs / 1000, claim.limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    runId: Number(r.run_id),
    channel: r.channel,
    attempts: r.attempts,
    message: r.message,
  }));
}

/** Keeps the first composed text, so every try sends the same message; answers the kept one. */
export async function keepMessage(db: Queryable, id: number, message: string): Promise<string> {
  const { rows } = await db.query<{ message: string }>(
    `update notification_outbox set message = coalesce(message, $2::text)
      where id = $1::bigint returning message`,
    [id, message],
  );
  return rows[0]?.message ?? message;
}

export async function markSent(
  db: Queryable,
  id: number,
  workerId: string,
  attempts: number,
): Promise<void> {
  await db.query(
    `update notification_outbox
        set status = 'sent', sent_at = now(), attempts = attempts + $3::int, last_error = null,
            locked_by = null, locked_until = null
      where id = $1::bigint and locked_by = $2::text`,
    [id, workerId, attempts],
  );
}

/** The hook stayed down through this process's tries: try again after `delayMs`. */
export async function markRetry(
  db: Queryable,
  id: number,
  workerId: string,
  r: { attempts: number; delayMs: number; error: string },
): Promise<void> {
  await db.query(
    `update notification_outbox
        set attempts = attempts + $3::int, last_error = $5::text,
            next_attempt_at = now() + make_interval(secs => $4::double precision),
            locked_by = null, locked_until = null
      where id = $1::bigint and locked_by = $2::text`,
    [id, workerId, r.attempts, r.delayMs / 1000, r.error],
  );
}

/** The hook refused the message for good (4xx other than 429): not tried again. */
export async function markFailed(
  db: Queryable,
  id: number,
  workerId: string,
  r: { attempts: number; error: string },
): Promise<void> {
  await db.query(
    `update notification_outbox
        set status = 'failed', attempts = attempts + $3::int, last_error = $4::text,
            locked_by = null, locked_until = null
      where id = $1::bigint and locked_by = $2::text`,
    [id, workerId, r.attempts, r.error],
  );
}
