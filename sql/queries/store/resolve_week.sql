-- Sums the week starting at ?1 into edge_week, when each of its days is
-- resolved to its end (?2: resolved_until) and kept: seven days with
-- their inventory's digest (store_resolve(), as resolution passes the
-- week's end).
DELETE FROM edge_week WHERE week = ?1;
DELETE FROM edge_week_done WHERE week = ?1;
INSERT INTO edge_week_done (week)
SELECT ?1 WHERE ?1 + 604800 <= ?2
	    AND (SELECT count(*) FROM edge_day_inventory
		 WHERE day >= ?1 AND day < ?1 + 604800) = 7;
INSERT INTO edge_week
SELECT ?1, client, route, src_pod_id, dst_pod_id, service_id, src_dup,
       dst_dup, min(day), max(src_holders), max(dst_holders),
       CAST(min(total(connections), 9.2233720368547758e18) AS INTEGER), min(first_seen), max(last_seen)
FROM edge_day
WHERE day >= ?1 AND day < ?1 + 604800
  AND EXISTS (SELECT 1 FROM edge_week_done WHERE week = ?1)
GROUP BY client, route, src_pod_id, dst_pod_id, service_id, src_dup,
	 dst_dup;
