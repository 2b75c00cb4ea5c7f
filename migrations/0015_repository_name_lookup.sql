-- Embeds (contract §8) look a repository up by owner and name across every workspace,
-- case-insensitively, on requests anyone may send: an index instead of a scan of every
-- workspace's repositories. The metrics' lookup by name (get-repositories-metrics.ts) uses it too.
create index workspace_repositories_name_lookup
  on workspace_repositories (lower(owner), lower(name));
