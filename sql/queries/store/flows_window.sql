-- policygen's readers: the resolved edges of the window by id, a day
-- after another; store/flow_window.c names them (flow_names_*.sql) and
-- orders each day's rows, or adds the window up.  A row is in the window
-- when its connections were seen in it: last seen at or after ?1, first
-- seen before ?2 (Unix seconds).  ?3 = 1 (check, which decides each pod)
-- keeps the rows of a pod another pod of its workload shares (*_dup);
-- the others, by workload, leave them out.  The last column: an address
-- had several holders when its connections started (ambiguous).
--
-- flow_days, spelt out: the rows kept in edge_day, whose primary key
-- gives them by day, and the tail (flow_tail), sorted by day alone.
-- SQLite merges the two; read through the view, every row of the window
-- would be sorted.
SELECT day, client, route, src_pod_id, dst_pod_id, service_id,
       connections, first_seen, last_seen,
       src_holders > 1 OR dst_holders > 1
FROM edge_day
WHERE last_seen >= ?1 AND first_seen < ?2
  AND (?3 = 1 OR (src_dup = 0 AND dst_dup = 0))
UNION ALL
SELECT day, client, route, src_pod_id, dst_pod_id, service_id,
       connections, first_seen, last_seen,
       src_holders > 1 OR dst_holders > 1
FROM flow_tail
WHERE last_seen >= ?1 AND first_seen < ?2
  AND (?3 = 1 OR (src_dup = 0 AND dst_dup = 0))
ORDER BY day;
