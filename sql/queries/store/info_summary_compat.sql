-- policygen info on a read-only database of a schema before 8, whose
-- table edge holds the raw rows: info_summary.sql's columns.
SELECT
	(SELECT count(*) FROM edge),
	(SELECT count(*) FROM flow_edges),
	(SELECT count(DISTINCT bucket) FROM edge),
	(SELECT min(first_seen) FROM edge),
	(SELECT max(last_seen) FROM edge);
