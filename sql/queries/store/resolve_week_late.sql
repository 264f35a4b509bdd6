-- The edges of summed weeks that the late changes waiting in edge_late
-- added to (resolve_fold.sql has added them to the day rows), summed
-- again from their days: by client and route, edge_day's key after the
-- day, so that each is seven lookups (store_resolve(), before it empties
-- edge_late).
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
INSERT INTO edge_week
SELECT t.week, d.client, d.route, d.src_pod_id, d.dst_pod_id, d.service_id,
       d.src_dup, d.dst_dup, min(d.day), max(d.src_holders),
       max(d.dst_holders),
       CAST(min(total(d.connections), 9.2233720368547758e18) AS INTEGER),
       min(d.first_seen), max(d.last_seen)
FROM touched AS t CROSS JOIN weekday AS w
JOIN edge_day AS d ON d.day = t.week + w.n * 86400 AND d.client = t.client
	AND d.route = t.route
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
