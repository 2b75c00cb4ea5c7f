/**
 * The unique actors of [C, N) ($9, $10) as CTEs of queryMetrics' statement (`repos`,
 * `tail` and `wm` come from there; $21 asks for them, $22 is the workspace, $23/$24 the
 * hour boundaries nearest C and N).
 *
 * From the workspace actor rollup (migrations/0006, 0013) when it holds exactly the
 * repositories asked and no removed event could have been an actor's last since C: each
 * actor's last folded event in the workspace (last_at). Then the actors of the window are
 * - those with last_at in [C, N): whole hours from the histogram, the cut hours at C and N
 *   from the rows (at most 30 minutes of actors each);
 * - those with last_at at or after N (clock skew, a window in the past) that also acted in
 *   [C, N): looked up one by one (per-repository last events, the tail, and the events of
 *   repositories with events after N);
 * - the tail's actors of the window whose last_at is before C (or who have none).
 *
 * Otherwise (a membership change not reconciled yet, repositories that are not exactly a
 * workspace, a removal): per repository, its actors whose last event there is in the window
 * (github_event_actors), or for a repository with events after N or a removal since C its
 * events of the window; and the tail's. `union` counts an actor once.
 */
const C = "$9::timestamptz";
const N = "$10::timestamptz";
const WS = "$22::bigint";
const HC = "$23::timestamptz";
const HN = "$24::timestamptz";

/** Events of repository r in [C, N) through gh-datapipe's index, every folded spelling. */
const windowEvents = `github_event_spellings sp
         on sp.owner_key = r.owner_key and sp.name_key = r.name_key
       join github_events_cache e
         on e.repository_owner = sp.repository_owner and e.repository_name = sp.repository_name
        and e.created_at >= ${C} and e.created_at < ${N}`;

export const activitySql = `workspace_rollup as materialized (
       select ${WS} is not null
              and not (select coalesce(bool_or(r.actors_removed), false) from repos r)
              and (select count(*) from metrics_workspace_members m
                    where m.installation_id = ${WS}) = (select count(*) from repos)
              and (select count(*) from repos r
                     join metrics_workspace_members m
                       on m.installation_id = ${WS}
                      and m.owner_key = r.owner_key and m.name_key = r.name_key)
                  = (select count(*) from repos) as usable
        where $21::boolean
     ),
     window_tail as (
       select distinct t.actor_key from tail t
        where t.actor_key is not null and t.created_at >= ${C} and t.created_at < ${N}
     ),
     actors as (
       select (select coalesce(sum(h.actors), 0)
                 from workspace_actor_hours h
                where h.installation_id = ${WS} and h.hour >= ${HC} and h.hour < ${HN})
              + (select count(*) from workspace_actor_last_seen s
                  where s.installation_id = ${WS} and s.last_at >= ${C} and s.last_at < ${HC})
              - (select count(*) from workspace_actor_last_seen s
                  where s.installation_id = ${WS} and s.last_at >= ${HC} and s.last_at < ${C})
              + (select count(*) from workspace_actor_last_seen s
                  where s.installation_id = ${WS} and s.last_at >= ${HN} and s.last_at < ${N})
              - (select count(*) from workspace_actor_last_seen s
                  where s.installation_id = ${WS} and s.last_at >= ${N} and s.last_at < ${HN})
              + (select count(*) from workspace_actor_last_seen s
                  where s.installation_id = ${WS} and s.last_at >= ${N}
                    and (exists (select 1 from repos r
                                   join github_event_actors a
                                     on a.owner_key = r.owner_key and a.name_key = r.name_key
                                    and a.actor_key = s.actor_key
                                  where a.last_at >= ${C} and a.last_at < ${N})
                         or exists (select 1 from window_tail t where t.actor_key = s.actor_key)
                         or exists (select 1 from repos r join ${windowEvents}
                                     where r.has_future
                                       and lower(e.actor_login) = s.actor_key)))
              + (select count(*) from window_tail t
                  where not exists (select 1 from workspace_actor_last_seen s
                                     where s.installation_id = ${WS} and s.actor_key = t.actor_key
                                       and s.last_at >= ${C})) as unique_actors
        where (select usable from workspace_rollup)
       union all
       select count(*) as unique_actors
         from (
           select a.actor_key
             from repos r
             join github_event_actors a
               on a.owner_key = r.owner_key and a.name_key = r.name_key
              and a.last_at >= ${C} and a.last_at < ${N}
            where not r.actors_removed and not r.has_future
              and not (select usable from workspace_rollup)
           union
           select lower(e.actor_login)
             from repos r
             join ${windowEvents}
            where (r.actors_removed or r.has_future)
              and e.actor_login is not null
              and not (select usable from workspace_rollup)
           union
           select actor_key from window_tail where not (select usable from workspace_rollup)
         ) active
       having not (select usable from workspace_rollup)
     )`;
