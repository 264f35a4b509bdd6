-- info_summary.sql in PostgreSQL: what the cluster store holds of every
-- node's raw rows (an edge two nodes saw counts once here).
SELECT
	(SELECT count(*) FROM node_edge_raw),
	(SELECT count(*) FROM (SELECT DISTINCT client, route
			       FROM node_edge_raw) AS e),
	(SELECT count(DISTINCT bucket) FROM node_edge_raw),
	(SELECT min(bucket + first_off) FROM node_edge_raw),
	(SELECT max(bucket + last_off) FROM node_edge_raw);
