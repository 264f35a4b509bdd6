-- edge_prune.sql in PostgreSQL, for the session's node: the same cuts,
-- no change log (a node keeps its own), raw_kept_from the node's meta.
-- ?1 and ?2 as there; the first two statements' rows are what went.
WITH cut (t) AS (
	SELECT CASE WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'inventory_at')
		THEN min(CAST(?1 AS BIGINT),
			 coalesce((SELECT CAST(value AS BIGINT) FROM meta
				   WHERE key = 'resolved_until'), 0))
		ELSE CAST(?2 AS BIGINT) END)
DELETE FROM edge_raw
WHERE bucket < (SELECT t FROM cut) AND bucket + last_off < (SELECT t FROM cut);
DELETE FROM edge_day WHERE day <= CAST(?2 AS BIGINT) - 86400;
DELETE FROM edge_day_inventory WHERE day <= CAST(?2 AS BIGINT) - 86400;
DELETE FROM edge_week WHERE week <= CAST(?2 AS BIGINT) - 86400;
DELETE FROM edge_week_done WHERE week <= CAST(?2 AS BIGINT) - 86400;
INSERT INTO node_meta (node, key, value)
VALUES (podflow_node(), 'raw_kept_from', CAST(?1 AS TEXT))
ON CONFLICT (node, key) DO UPDATE SET
	value = CAST(max(CAST(node_meta.value AS BIGINT),
			 CAST(excluded.value AS BIGINT)) AS TEXT);
