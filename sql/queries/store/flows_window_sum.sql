-- policygen generate on one database: flows_window.sql's rows added up
-- over the window's days, an edge's connections and first and last
-- sightings once for the window (day: the first it was seen on).  Where
-- nothing is merged, the days need not be apart: a week is then read in
-- about the time of a day.  ?1, ?2 and ?3 as in flows_window.sql.
SELECT min(day), client, route, src_pod_id, dst_pod_id, service_id,
       sum(connections), min(first_seen), max(last_seen)
FROM flow_days
WHERE last_seen >= ?1 AND first_seen < ?2
  AND (?3 = 1 OR (src_dup = 0 AND dst_dup = 0))
GROUP BY client, route, src_pod_id, dst_pod_id, service_id;
