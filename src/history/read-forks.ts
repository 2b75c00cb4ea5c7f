import { z } from "zod";
import type { Caller } from "./call-github.js";
import { HistoryError } from "./history-error.js";
import { FORKS_PER_PAGE, HISTORY_ROUTES } from "./history-routes.js";
import { nextPage } from "./next-page.js";

const forks = z.array(z.object({ id: z.number(), created_at: z.string() }));

export interface ForkHistory {
  /** Forks created per UTC day, from `since` on (all of them when `since` is null). */
  days: Map<string, number>;
  /** The day of the oldest fork seen; null when there are none. */
  oldest: string | null;
  /** True when the list ran out before reaching `since`: every fork was seen. */
  complete: boolean;
  pages: number;
}

/**
 * Reads `GET /repos/{o}/{r}/forks?sort=newest` 100 a page until a fork created before
 * `since` shows up or the pages end (contract §4b); `since` null reads every page. Forks
 * are counted by their `created_at` UTC day; a deleted fork is gone from the list, so the
 * figures are the forks that exist. A fork made while paging shifts the pages by one: the
 * id set keeps it from being counted twice.
 */
export async function readForks(
  caller: Caller,
  repo: { owner: string; name: string },
  options: { since: string | null },
): Promise<ForkHistory> {
  const days = new Map<string, number>();
  const seen = new Set<number>();
  let oldest: string | null = null;
  let pages = 0;
  let page: number | null = 1;
  let reached = false;
  while (page !== null && !reached) {
    const answer = await caller.call(HISTORY_ROUTES.listForks, {
      owner: repo.owner,
      repo: repo.name,
      sort: "newest",
      per_page: FORKS_PER_PAGE,
      page,
    });
    pages++;
    const parsed = forks.safeParse(answer.data);
    if (!parsed.success) throw new HistoryError(answer.status, "unreadable fork list");
    for (const fork of parsed.data) {
      const at = Date.parse(fork.created_at);
      if (Number.isNaN(at)) throw new HistoryError(answer.status, "unreadable fork list");
      const day = new Date(at).toISOString().slice(0, 10);
      if (oldest === null || day < oldest) oldest = day;
      if (options.since !== null && day < options.since) {
        reached = true;
        continue;
      }
      if (seen.has(fork.id)) continue;
      seen.add(fork.id);
      days.set(day, (days.get(day) ?? 0) + 1);
    }
    if (parsed.data.length < FORKS_PER_PAGE) break;
    page = nextPage(answer.headers.link, page);
  }
  return { days, oldest, complete: !reached, pages };
}
