-- generate's, flows' and workloads' rows on one database: the window's
-- resolved edges by id, as flows_window.sql gives them, to be added up
-- (store/flow_window.c) and so in no order.  The weeks [?4, ?5), each
-- summed and wholly inside the window (flows_weeks.sql), come from
-- edge_week, a row per edge where the days have up to seven; the days
-- before and after them, and the tail, as flows_window.sql reads them.
-- ?4 = ?5: no week, every day.  ?1 to ?3 as in flows_window.sql.  A week
-- row needs no test of its times: the window holds its week whole, and
-- each of its day rows was first seen in its day (a bucket of it) and
-- last seen no earlier, so each was in the window.
SELECT day, client, route, src_pod_id, dst_pod_id, service_id,
       connections, first_seen, last_seen,
       src_holders > 1 OR dst_holders > 1
FROM edge_week
WHERE week >= ?4 AND week < ?5
  AND (?3 = 1 OR (src_dup = 0 AND dst_dup = 0))
UNION ALL
SELECT day, client, route, src_pod_id, dst_pod_id, service_id,
       connections, first_seen, last_seen,
       src_holders > 1 OR dst_holders > 1
FROM edge_day
WHERE day < ?4 AND last_seen >= ?1 AND first_seen < ?2
  AND (?3 = 1 OR (src_dup = 0 AND dst_dup = 0))
UNION ALL
SELECT day, client, route, src_pod_id, dst_pod_id, service_id,
       connections, first_seen, last_seen,
       src_holders > 1 OR dst_holders > 1
FROM edge_day
WHERE day >= ?5 AND last_seen >= ?1 AND first_seen < ?2
  AND (?3 = 1 OR (src_dup = 0 AND dst_dup = 0))
UNION ALL
SELECT day, client, route, src_pod_id, dst_pod_id, service_id,
       connections, first_seen, last_seen,
       src_holders > 1 OR dst_holders > 1
FROM flow_tail
WHERE last_seen >= ?1 AND first_seen < ?2
  AND (?3 = 1 OR (src_dup = 0 AND dst_dup = 0));
