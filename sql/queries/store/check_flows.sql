-- policygen check: every resolved edge of the window with the pods (by
-- uid) or nodes at its ends, to replay against policies.  A reused
-- address gives a row per holder: each is checked.  In the window: last
-- seen at or after ?1, first seen before ?2 (Unix seconds).
-- The columns of generate_flows.sql, which store/read_flows.c reads alike.
SELECT
	day, client_ip, server_ip, server_port, protocol, client_nat_ip,
	connections, first_seen, last_seen,
	src_uid, src_namespace, src_kind, src_name, src_node,
	dst_uid, dst_namespace, dst_kind, dst_name, dst_node,
	service_namespace, service_name, service_port
FROM resolved_edges
WHERE last_seen >= ?1 AND first_seen < ?2
ORDER BY day, client_ip, server_ip, server_port, protocol;
