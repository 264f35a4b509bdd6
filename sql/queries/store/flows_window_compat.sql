-- policygen generate and check on a read-only database of a schema
-- before 8, which keeps no ids: flows_window.sql's rows from the
-- temporary view resolved_edges (compat_resolved_edges.sql), with their
-- names, in the order store/flow_window.c gives the others.  ?1, ?2 and
-- ?3 as in flows_window.sql.
SELECT
	day, client_ip, server_ip, server_port, protocol, client_nat_ip,
	connections, first_seen, last_seen,
	src_uid, src_namespace, src_kind, src_name, src_node,
	dst_uid, dst_namespace, dst_kind, dst_name, dst_node,
	service_namespace, service_name, service_port,
	src_holders > 1 OR dst_holders > 1
FROM resolved_edges
WHERE last_seen >= ?1 AND first_seen < ?2
  AND (?3 = 1 OR (src_dup = 0 AND dst_dup = 0))
ORDER BY day, client_ip, server_ip, protocol, server_port;
