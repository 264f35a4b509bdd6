-- policygen generate on one database: the rows of flows_window.sql in no
-- order, which store/flow_window.c adds up over the window's days in a
-- hash table (an edge once for the window: a week is then read in about
-- the time of a day; SQL's GROUP BY would sort them all first).  ?1, ?2
-- and ?3 as in flows_window.sql.
SELECT day, client, route, src_pod_id, dst_pod_id, service_id,
       connections, first_seen, last_seen,
       src_holders > 1 OR dst_holders > 1
FROM flow_days
WHERE last_seen >= ?1 AND first_seen < ?2
  AND (?3 = 1 OR (src_dup = 0 AND dst_dup = 0));
