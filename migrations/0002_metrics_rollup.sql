-- The index the metrics read events through (the rollups themselves are in 0005, whose
-- header and src/metrics/compute-metrics.ts give the figures behind them).
--
-- Exact reads of the minutes cut by a window edge, first/last event and the event-by-event
-- unique-actor count, and the engine's count of a repository's events after its job. Owner
-- and name are matched lower-cased (gh-datapipe may write `Octo-Org/Repo` where GitHub says
-- `octo-org/repo`). The raw columns are included because Postgres only plans an index-only
-- scan over an expression index when every column the query names is in the index.
create index if not exists github_events_cache_repo_key_created
  on github_events_cache (lower(repository_owner), lower(repository_name), created_at)
  include (repository_owner, repository_name, event_type, actor_login);
