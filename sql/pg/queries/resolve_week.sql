-- resolve_week.sql in PostgreSQL: the session's node's week ?1 summed
-- when its seven days are resolved before ?2; sums saturating.
DELETE FROM edge_week WHERE week = CAST(?1 AS BIGINT);
DELETE FROM edge_week_done WHERE week = CAST(?1 AS BIGINT);
INSERT INTO edge_week_done (week)
SELECT CAST(?1 AS BIGINT)
WHERE CAST(?1 AS BIGINT) + 604800 <= CAST(?2 AS BIGINT)
  AND (SELECT count(*) FROM edge_day_inventory
       WHERE day >= CAST(?1 AS BIGINT)
	 AND day < CAST(?1 AS BIGINT) + 604800) = 7;
INSERT INTO edge_week (week, client, route, src_pod_id, dst_pod_id,
		       service_id, src_dup, dst_dup, day, src_holders,
		       dst_holders, connections, first_seen, last_seen)
SELECT CAST(?1 AS BIGINT), client, route, src_pod_id, dst_pod_id,
       service_id, src_dup, dst_dup, min(day), max(src_holders),
       max(dst_holders), podflow_saturate(sum(connections)),
       min(first_seen), max(last_seen)
FROM edge_day
WHERE day >= CAST(?1 AS BIGINT) AND day < CAST(?1 AS BIGINT) + 604800
  AND EXISTS (SELECT 1 FROM edge_week_done WHERE week = CAST(?1 AS BIGINT))
GROUP BY client, route, src_pod_id, dst_pod_id, service_id, src_dup,
	 dst_dup;
