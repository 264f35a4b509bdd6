-- policygen check: every resolved edge of the window with the pods (by
-- uid) or nodes at its ends, to replay against policies.  A reused
-- address gives a row per holder: each is checked.  In the window: last
-- seen at or after ?1, first seen before ?2 (Unix seconds).
SELECT
	day, client_ip, server_ip, server_port, protocol, client_nat_ip,
	connections, last_seen,
	src_uid, src_node, src_namespace, src_kind, src_name,
	dst_uid, dst_node, dst_namespace, dst_kind, dst_name
FROM resolved_edges
WHERE last_seen >= ?1 AND first_seen < ?2
ORDER BY day, client_ip, server_ip, server_port, protocol;
