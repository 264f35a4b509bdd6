-- policygen generate: every resolved edge of the window, one row per
-- identity pair (two pods of one workload on one address count once).
-- ?1 since, ?2 until (Unix seconds).
SELECT DISTINCT
	bucket, client_ip, server_ip, server_port, protocol, client_nat_ip,
	connections, first_seen, last_seen,
	src_namespace, src_kind, src_name, src_node,
	dst_namespace, dst_kind, dst_name, dst_node,
	service_namespace, service_name, service_port
FROM flow_resolved
WHERE last_seen >= ?1 AND bucket < ?2
-- The order of cmp_row() in generate.c: one database's rows are handled
-- as they come.
ORDER BY bucket, client_ip, server_ip, protocol, server_port;
