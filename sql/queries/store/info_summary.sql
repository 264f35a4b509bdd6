-- policygen info: what the database holds: its raw edge rows, the
-- distinct edges and time buckets of those, and the earliest first and
-- latest last seen (Unix seconds; NULL without rows).
SELECT
	(SELECT count(*) FROM edge),
	(SELECT count(*) FROM flow_edges),
	(SELECT count(DISTINCT bucket) FROM edge),
	(SELECT min(first_seen) FROM edge),
	(SELECT max(last_seen) FROM edge);
