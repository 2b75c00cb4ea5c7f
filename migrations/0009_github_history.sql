-- GitHub itself as a source of stars and forks (contract §4b, §5). GitHub's figures live in
-- the app's own tables, never in github_events_cache (gh-datapipe's).
--
-- Repositories are keyed as the events rollups are: owner and name lower-cased, since
-- GitHub matches them case-insensitively.

-- Stars and forks per UTC day as GitHub gives them: stars from the star history (today's
-- stargazers by the day they starred), forks from the fork list (the forks that exist, by
-- their created_at day). A read replaces the days it covers, so reading twice never adds.
create table github_daily_counts (
  owner_key text not null,
  name_key text not null,
  day date not null,
  stars integer not null default 0 check (stars >= 0),
  forks integer not null default 0 check (forks >= 0),
  primary key (owner_key, name_key, day)
);

-- The days GitHub's figures cover, per repository, stars and forks apart: from the earliest
-- day read to the day they were last read (inclusive). Inside a range the day's figure is
-- GitHub's (zero when github_daily_counts has no row); outside it the events count.
create table github_history_coverage (
  owner_key text not null,
  name_key text not null,
  stars_from date,
  stars_to date,
  stars_read_at timestamptz,
  forks_from date,
  forks_to date,
  forks_read_at timestamptz,
  primary key (owner_key, name_key),
  check ((stars_from is null) = (stars_to is null) and stars_from <= stars_to),
  check ((forks_from is null) = (forks_to is null) and forks_from <= forks_to)
);

-- The figures the metrics use (contract §5): one row per workspace repository and UTC day
-- with any star or fork, each figure from GitHub on the days GitHub covers, else from the
-- WatchEvent/ForkEvent rows, never both for one day. This first form reads the events
-- directly; it is the reference that faster storage must answer exactly like.
create view repository_daily_counts as
with repositories as (
  select distinct on (lower(owner), lower(name))
         owner, name, lower(owner) as owner_key, lower(name) as name_key
    from workspace_repositories
   order by lower(owner), lower(name), added_at desc
),
event_days as (
  select lower(e.repository_owner) as owner_key, lower(e.repository_name) as name_key,
         (e.created_at at time zone 'UTC')::date as day,
         count(*) filter (where e.event_type = 'WatchEvent')::integer as stars,
         count(*) filter (where e.event_type = 'ForkEvent')::integer as forks
    from github_events_cache e
   where e.event_type in ('WatchEvent', 'ForkEvent')
   group by 1, 2, 3
),
days as (
  select owner_key, name_key, day from github_daily_counts
  union
  select owner_key, name_key, day from event_days
),
chosen as (
  select r.owner, r.name, d.day,
         case when c.stars_from is not null and d.day between c.stars_from and c.stars_to
              then 'github' else 'events' end as stars_source,
         case when c.forks_from is not null and d.day between c.forks_from and c.forks_to
              then 'github' else 'events' end as forks_source,
         g.stars as github_stars, g.forks as github_forks,
         e.stars as event_stars, e.forks as event_forks
    from repositories r
    join days d on d.owner_key = r.owner_key and d.name_key = r.name_key
    left join github_history_coverage c on c.owner_key = r.owner_key and c.name_key = r.name_key
    left join github_daily_counts g
      on g.owner_key = r.owner_key and g.name_key = r.name_key and g.day = d.day
    left join event_days e on e.owner_key = r.owner_key and e.name_key = r.name_key and e.day = d.day
)
select owner as repository_owner, name as repository_name, day,
       coalesce(case when stars_source = 'github' then github_stars else event_stars end, 0)
         ::integer as stars,
       coalesce(case when forks_source = 'github' then github_forks else event_forks end, 0)
         ::integer as forks,
       stars_source, forks_source
  from chosen
 where coalesce(case when stars_source = 'github' then github_stars else event_stars end, 0) > 0
    or coalesce(case when forks_source = 'github' then github_forks else event_forks end, 0) > 0;
