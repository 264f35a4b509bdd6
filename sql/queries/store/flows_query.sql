-- policygen flows: flows resolved to identities within a time window.
-- ?1 since, ?2 until (Unix seconds), ?3 namespace or NULL, ?4 workload
-- name or NULL (either end, in ?3 when given).
--
-- The window's resolved rows are added up by id first, a row an edge of
-- the window (a week holds each of a day's edges seven times), and only
-- then named, as resolved_edges names them, and grouped by their names.
WITH f AS MATERIALIZED (
	SELECT client, route, src_pod_id, dst_pod_id, service_id,
	       sum(connections) AS connections, min(first_seen) AS first_seen,
	       max(last_seen) AS last_seen,
	       max(src_holders > 1 OR dst_holders > 1) AS ambiguous
	FROM flow_days
	WHERE last_seen >= ?1 AND first_seen < ?2
	  AND src_dup = 0 AND dst_dup = 0
	GROUP BY 1, 2, 3, 4, 5),
named AS (
	SELECT src.namespace AS src_ns, src.workload_kind AS src_kind,
	       src.workload_name AS src_name, c.ip AS client_ip,
	       srcnode.node AS src_node,
	       dst.namespace AS dst_ns, dst.workload_kind AS dst_kind,
	       dst.workload_name AS dst_name, s.ip AS server_ip,
	       dstnode.node AS dst_node,
	       r.server_port, coalesce(pr.name, CAST(r.protocol AS TEXT))
		       AS protocol,
	       svc.namespace AS svc_ns, svc.name AS svc_name,
	       f.connections, f.first_seen, f.last_seen, f.ambiguous
	FROM f
	LEFT JOIN route AS r ON r.id = f.route
	LEFT JOIN addr AS c ON c.id = f.client
	LEFT JOIN addr AS s ON s.id = r.server
	LEFT JOIN protocol AS pr ON pr.number = r.protocol
	LEFT JOIN pod AS src ON src.id = f.src_pod_id
	LEFT JOIN pod AS dst ON dst.id = f.dst_pod_id
	LEFT JOIN node_addresses AS srcnode ON srcnode.address = c.ip
	LEFT JOIN node_addresses AS dstnode ON dstnode.address = s.ip
	LEFT JOIN service AS svc ON svc.id = f.service_id)
SELECT
	src_ns, src_kind, src_name,
	CASE WHEN src_name IS NULL AND src_node IS NULL THEN client_ip END,
	CASE WHEN src_name IS NULL THEN src_node END,
	dst_ns, dst_kind, dst_name,
	CASE WHEN dst_name IS NULL AND dst_node IS NULL THEN server_ip END,
	CASE WHEN dst_name IS NULL THEN dst_node END,
	server_port, protocol, svc_ns, svc_name,
	sum(connections), min(first_seen), max(last_seen), max(ambiguous)
FROM named
WHERE (?3 IS NULL OR src_ns = ?3 OR dst_ns = ?3)
  AND (?4 IS NULL
       OR (src_name = ?4 AND (?3 IS NULL OR src_ns = ?3))
       OR (dst_name = ?4 AND (?3 IS NULL OR dst_ns = ?3)))
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14;
