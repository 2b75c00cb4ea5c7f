-- Each repository-day's totals as plain columns next to its running totals by hour, and an
-- index holding them, so the metrics read a workspace's span of days (repositories × days
-- rows) from the index alone instead of unpacking three 24-element arrays per row.
-- Generated columns: the fold (metrics_delta_apply, 0013) writes the arrays as before and
-- the totals follow them; nothing else changes. Figures: docs/scaling.md.
alter table github_event_days
  add column day_stars integer generated always as (stars[24]) stored,
  add column day_forks integer generated always as (forks[24]) stored,
  add column day_events integer generated always as (events[24]) stored;

create index github_event_days_totals
  on github_event_days (owner_key, name_key, day) include (day_stars, day_forks, day_events);
