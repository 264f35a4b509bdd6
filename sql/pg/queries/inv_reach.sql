-- inv_reach.sql in PostgreSQL: the cluster's own meta (node ''), which
-- every node's resolution reads (sql/pg/views.sql: meta).
INSERT INTO node_meta (node, key, value)
VALUES ('', 'inventory_at', CAST(?1 AS TEXT))
ON CONFLICT (node, key) DO UPDATE SET
	value = CAST(max(CAST(node_meta.value AS BIGINT),
			 CAST(excluded.value AS BIGINT)) AS TEXT);
