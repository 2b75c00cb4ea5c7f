import { z } from "zod";
import type { Caller } from "./call-github.js";
import { HistoryError } from "./history-error.js";
import { HISTORY_ROUTES, STAR_HISTORY_API_VERSION, WEEKS_PER_PAGE } from "./history-routes.js";
import { nextPage } from "./next-page.js";
import { utcDay } from "./utc-day.js";

const weeks = z.array(
  z.object({
    week: z.number().int(),
    days: z.array(z.number().int().nonnegative()).length(7),
  }),
);

export interface StarHistory {
  /** Stars per UTC day (days with none left out), up to `today`. */
  days: Map<string, number>;
  /** The first day of the oldest week read; null when GitHub gave no week at all. */
  from: string | null;
  pages: number;
}

/**
 * Reads `GET /repos/{o}/{r}/stargazers/history` newest page first (contract §4b): weeks
 * `{week, total, days[7]}`, day `i` the UTC date `week + i days`, 30 weeks a page. Stops
 * once a page reaches back to `backTo` (one page covers 210 days) or there is no next
 * page; `backTo` null reads every page. Days after `today` (the running week's rest) are
 * dropped.
 */
export async function readStarHistory(
  caller: Caller,
  repo: { owner: string; name: string },
  options: { backTo: string | null; today: string },
): Promise<StarHistory> {
  const days = new Map<string, number>();
  let from: string | null = null;
  let pages = 0;
  let page: number | null = 1;
  while (page !== null) {
    const answer = await caller.call(HISTORY_ROUTES.starHistory, {
      owner: repo.owner,
      repo: repo.name,
      per_page: WEEKS_PER_PAGE,
      page,
      headers: { "x-github-api-version": STAR_HISTORY_API_VERSION },
    });
    pages++;
    const parsed = weeks.safeParse(answer.data);
    if (!parsed.success) throw new HistoryError(answer.status, "unreadable star history");
    for (const week of parsed.data) {
      const first = utcDay(week.week * 1000);
      if (from === null || first < from) from = first;
      week.days.forEach((count, i) => {
        const day = utcDay((week.week + i * 86_400) * 1000);
        if (count > 0 && day <= options.today) days.set(day, count);
      });
    }
    if (parsed.data.length === 0) break;
    if (options.backTo !== null && from !== null && from <= options.backTo) break;
    page = nextPage(answer.headers.link, page);
  }
  return { days, from, pages };
}
