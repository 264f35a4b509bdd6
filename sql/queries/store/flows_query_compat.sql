-- policygen flows on a read-only database of a schema before 8
-- (compat_resolved_edges.sql): flows_query.sql's rows from its names.
-- ?1 since, ?2 until (Unix seconds), ?3 namespace or NULL, ?4 workload
-- name or NULL (either end, in ?3 when given).
SELECT
	src_namespace, src_kind, src_name,
	CASE WHEN src_name IS NULL AND src_node IS NULL THEN client_ip END,
	CASE WHEN src_name IS NULL THEN src_node END,
	dst_namespace, dst_kind, dst_name,
	CASE WHEN dst_name IS NULL AND dst_node IS NULL THEN server_ip END,
	CASE WHEN dst_name IS NULL THEN dst_node END,
	server_port, protocol, service_namespace, service_name,
	sum(connections), min(first_seen), max(last_seen),
	max(src_holders > 1 OR dst_holders > 1)
FROM resolved_edges
WHERE last_seen >= ?1 AND first_seen < ?2 AND src_dup = 0 AND dst_dup = 0
  AND (?3 IS NULL OR src_namespace = ?3 OR dst_namespace = ?3)
  AND (?4 IS NULL
       OR (src_name = ?4 AND (?3 IS NULL OR src_namespace = ?3))
       OR (dst_name = ?4 AND (?3 IS NULL OR dst_namespace = ?3)))
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14;
