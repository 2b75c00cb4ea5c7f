-- Each repository-hour's running totals by minute as generated columns next to its minute
-- maps (0013): [k] = the events of the hour's first k minutes. A window edge then reads one
-- array element per figure instead of unpacking three maps (the maps grow with the
-- events: ~35 minutes a map at 5M events in 50 repositories). The fold keeps writing the
-- maps; the totals follow them. Figures: docs/scaling.md.
create function github_event_minutes_before(minutes jsonb) returns integer[]
language sql immutable parallel safe as $$
  select array_agg(total::integer order by k)
    from (select k, sum(coalesce((minutes ->> (k - 1)::text)::integer, 0)) over (order by k) as total
            from generate_series(1, 60) as k) s
$$;

alter table github_event_hours
  add column stars_before integer[] generated always as (github_event_minutes_before(stars)) stored,
  add column forks_before integer[] generated always as (github_event_minutes_before(forks)) stored,
  add column events_before integer[] generated always as (github_event_minutes_before(events)) stored;
