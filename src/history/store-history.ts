import type { Db, Queryable } from "../db/index.js";

/** One figure's read: every day from `from` to `to` is GitHub's; days absent from `days` are 0. */
export interface FigureRead {
  from: string;
  to: string;
  days: Map<string, number>;
}

export interface HistoryWrite {
  owner: string;
  name: string;
  stars: FigureRead;
  forks: FigureRead;
  readAt: Date;
}

export interface StoredCoverage {
  starsFrom: string | null;
  starsTo: string | null;
  forksFrom: string | null;
  forksTo: string | null;
}

/**
 * The days GitHub's figures already cover for a repository (migration 0009), so a read can
 * reach back to where the last one ended and keep the coverage one unbroken range.
 */
export async function loadCoverage(
  db: Queryable,
  repo: { owner: string; name: string },
): Promise<StoredCoverage | null> {
  const { rows } = await db.query<{
    stars_from: string | null;
    stars_to: string | null;
    forks_from: string | null;
    forks_to: string | null;
  }>(
    `select to_char(stars_from, 'YYYY-MM-DD') as stars_from, to_char(stars_to, 'YYYY-MM-DD') as stars_to,
            to_char(forks_from, 'YYYY-MM-DD') as forks_from, to_char(forks_to, 'YYYY-MM-DD') as forks_to
       from github_history_coverage where owner_key = lower($1::text) and name_key = lower($2::text)`,
    [repo.owner, repo.name],
  );
  const row = rows[0];
  return row
    ? {
        starsFrom: row.stars_from,
        starsTo: row.stars_to,
        forksFrom: row.forks_from,
        forksTo: row.forks_to,
      }
    : null;
}

/**
 * Replaces one figure's days in `[from, to]`: zero first, then the days read. The figure
 * is a parameter (`$3`), never text in the statement.
 */
async function replaceDays(tx: Queryable, figure: "stars" | "forks", w: HistoryWrite) {
  const read = w[figure];
  await tx.query(
    `update github_daily_counts
        set stars = case when $3::text = 'stars' then 0 else stars end,
            forks = case when $3::text = 'forks' then 0 else forks end
      where owner_key = lower($1::text) and name_key = lower($2::text)
        and day between $4::date and $5::date
        and (case when $3::text = 'stars' then stars else forks end) <> 0`,
    [w.owner, w.name, figure, read.from, read.to],
  );
  const days = [...read.days].filter(([day]) => day >= read.from && day <= read.to);
  if (days.length === 0) return;
  await tx.query(
    `insert into github_daily_counts as g (owner_key, name_key, day, stars, forks)
     select lower($1::text), lower($2::text), d.day,
            case when $3::text = 'stars' then d.n else 0 end,
            case when $3::text = 'forks' then d.n else 0 end
       from unnest($4::date[], $5::int[]) as d (day, n)
     on conflict (owner_key, name_key, day) do update
       set stars = case when $3::text = 'stars' then excluded.stars else g.stars end,
           forks = case when $3::text = 'forks' then excluded.forks else g.forks end`,
    [w.owner, w.name, figure, days.map(([d]) => d), days.map(([, n]) => n)],
  );
}

/**
 * Writes one repository's read (contract §5), in one transaction: the days read replace
 * what was stored for them (a second read of the same days never adds), and the coverage
 * grows to take them in. A read that touches or overlaps the stored range extends it; one
 * that leaves a gap (the callers read back to the last `*_to` so it does not happen)
 * starts the range afresh, since one range cannot say "these days, not those". This module
 * is the only writer of `github_daily_counts` and `github_history_coverage`.
 */
export function storeHistory(db: Db, w: HistoryWrite): Promise<void> {
  return db.transaction(async (tx) => {
    await replaceDays(tx, "stars", w);
    await replaceDays(tx, "forks", w);
    await tx.query(
      `delete from github_daily_counts
        where owner_key = lower($1::text) and name_key = lower($2::text) and stars = 0 and forks = 0`,
      [w.owner, w.name],
    );
    await tx.query(
      `insert into github_history_coverage as c
         (owner_key, name_key, stars_from, stars_to, stars_read_at, forks_from, forks_to, forks_read_at)
       values (lower($1::text), lower($2::text), $3::date, $4::date, $7::timestamptz,
               $5::date, $6::date, $7::timestamptz)
       on conflict (owner_key, name_key) do update set
         stars_from = case when c.stars_from is null or excluded.stars_from > c.stars_to + 1
                             or excluded.stars_to < c.stars_from - 1
                           then excluded.stars_from else least(c.stars_from, excluded.stars_from) end,
         stars_to = case when c.stars_from is null or excluded.stars_from > c.stars_to + 1
                           or excluded.stars_to < c.stars_from - 1
                         then excluded.stars_to else greatest(c.stars_to, excluded.stars_to) end,
         stars_read_at = excluded.stars_read_at,
         forks_from = case when c.forks_from is null or excluded.forks_from > c.forks_to + 1
                             or excluded.forks_to < c.forks_from - 1
                           then excluded.forks_from else least(c.forks_from, excluded.forks_from) end,
         forks_to = case when c.forks_from is null or excluded.forks_from > c.forks_to + 1
                           or excluded.forks_to < c.forks_from - 1
                         then excluded.forks_to else greatest(c.forks_to, excluded.forks_to) end,
         forks_read_at = excluded.forks_read_at`,
      [w.owner, w.name, w.stars.from, w.stars.to, w.forks.from, w.forks.to, w.readAt],
    );
  });
}
