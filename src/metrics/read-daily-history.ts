import type { Queryable } from "../db/index.js";
import { type DailyFigures, utcDates } from "./chart-points.js";

export type FigureSource = "github" | "events" | "mixed";

export interface DailyHistory {
  /** Every UTC day from the first with a star or fork (or `from`) to `to`, zero-filled. */
  days: DailyFigures[];
  /** Where the days' figures came from; null when there are none. */
  starsSource: FigureSource | null;
  forksSource: FigureSource | null;
}

const sourceOf = (sources: string[]): FigureSource | null =>
  sources.length === 0 ? null : sources.length > 1 ? "mixed" : (sources[0] as FigureSource);

/**
 * The stars and forks per UTC day of some repositories (`owner/name`, matched
 * case-insensitively) from `repository_daily_counts` (contract §5), summed over them: the
 * whole stored history, or from `from` on. One grouped statement; rows come back per day
 * with a star or fork only, so a repository of ten years costs ~3,650 rows at most.
 */
export async function readDailyHistory(
  db: Queryable,
  repositories: string[],
  options: { to: string; from?: string },
): Promise<DailyHistory> {
  const owners = repositories.map((r) => r.slice(0, r.indexOf("/")).toLowerCase());
  const names = repositories.map((r) => r.slice(r.indexOf("/") + 1).toLowerCase());
  const { rows } = await db.query<{
    day: string | null;
    stars: number;
    forks: number;
    stars_sources: string[] | null;
    forks_sources: string[] | null;
  }>(
    `with asked as (
       select distinct owner_key, name_key from unnest($1::text[], $2::text[]) as a (owner_key, name_key)
     ),
     counts as (
       select c.day, c.stars, c.forks, c.stars_source, c.forks_source
         from repository_daily_counts c
         join asked a on a.owner_key = lower(c.repository_owner) and a.name_key = lower(c.repository_name)
        where ($3::date is null or c.day >= $3::date) and c.day <= $4::date
     )
     select to_char(day, 'YYYY-MM-DD') as day, sum(stars)::int as stars, sum(forks)::int as forks,
            null::text[] as stars_sources, null::text[] as forks_sources
       from counts group by day
     union all
     select null, 0, 0,
            array(select distinct stars_source from counts where stars > 0 order by 1),
            array(select distinct forks_source from counts where forks > 0 order by 1)
     order by 1 nulls last`,
    [owners, names, options.from ?? null, options.to],
  );
  const summary = rows.find((r) => r.day === null);
  const byDay = new Map(rows.filter((r) => r.day !== null).map((r) => [r.day!, r]));
  const first = options.from ?? rows.find((r) => r.day !== null)?.day ?? options.to;
  const days = utcDates(first, options.to).map((date) => ({
    date,
    stars: byDay.get(date)?.stars ?? 0,
    forks: byDay.get(date)?.forks ?? 0,
  }));
  return {
    days,
    starsSource: sourceOf(summary?.stars_sources ?? []),
    forksSource: sourceOf(summary?.forks_sources ?? []),
  };
}
