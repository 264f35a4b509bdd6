-- resolve_week_late.sql in PostgreSQL: the weeks late changes touch,
-- summed again; sums saturating.
DELETE FROM edge_week
WHERE (week, client, route) IN (
	SELECT bucket - (bucket + 259200) % 604800, client, route
	FROM edge_late
	WHERE bucket - (bucket + 259200) % 604800 IN
	      (SELECT week FROM edge_week_done));
WITH touched (week, client, route) AS (
	SELECT DISTINCT bucket - (bucket + 259200) % 604800, client, route
	FROM edge_late
	WHERE bucket - (bucket + 259200) % 604800 IN
	      (SELECT week FROM edge_week_done)),
weekday (n) AS (VALUES (0), (1), (2), (3), (4), (5), (6))
INSERT INTO edge_week (week, client, route, src_pod_id, dst_pod_id,
		       service_id, src_dup, dst_dup, day, src_holders,
		       dst_holders, connections, first_seen, last_seen)
SELECT t.week, d.client, d.route, d.src_pod_id, d.dst_pod_id, d.service_id,
       d.src_dup, d.dst_dup, min(d.day), max(d.src_holders),
       max(d.dst_holders), podflow_saturate(sum(d.connections)),
       min(d.first_seen), max(d.last_seen)
FROM touched AS t CROSS JOIN weekday AS w
JOIN edge_day AS d ON d.day = t.week + w.n * 86400 AND d.client = t.client
	AND d.route = t.route
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
