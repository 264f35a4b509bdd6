-- policygen info: what the database holds: its raw edge rows, the
-- distinct edges and time buckets of those, and the earliest first and
-- latest last seen (Unix seconds; NULL without rows).  From edge_raw by
-- id: an edge is a client and a route (both unique), and the view edge
-- would look every row's names up first.
SELECT
	(SELECT count(*) FROM edge_raw),
	(SELECT count(*) FROM (SELECT DISTINCT client, route FROM edge_raw) AS e),
	(SELECT count(DISTINCT bucket) FROM edge_raw),
	(SELECT min(bucket + first_off) FROM edge_raw),
	(SELECT max(bucket + last_off) FROM edge_raw);
