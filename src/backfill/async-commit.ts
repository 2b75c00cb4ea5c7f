/**
 * A condition that is always true and lets the statement's own transaction commit without
 * waiting for the WAL flush (`set_config(…, true)` lasts until that commit). A flush costs
 * 3-4 ms on a busy disk. Only for writes whose loss in a Postgres crash is harmless:
 * - a claim: the job id is then recorded with a normal commit, which flushes the claim
 *   before it; a claim lost before that only leaves the item pending, as it was;
 * - an item's end: the item is left processing with its job id, and polling that job
 *   ends it again; nothing is triggered twice;
 * - a progress figure or a lease renewal: the next poll or renewal writes it again.
 * Commits still become visible to other sessions at once; only the flush is deferred.
 */
export const ASYNC_COMMIT = "(select set_config('synchronous_commit', 'off', true)) = 'off'";
