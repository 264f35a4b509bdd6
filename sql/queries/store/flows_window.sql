-- policygen generate and check: every resolved edge of the window
-- (resolved_edges: the rows kept by day, and the tail not resolved yet),
-- the rows of one day, edge and pods added up by the reader.  A row is in
-- the window when its connections were seen in it: last seen at or after
-- ?1, first seen before ?2 (Unix seconds).  ?3 = 1 (check, which decides
-- each pod) keeps the rows of a pod another pod of its workload shares
-- (*_dup); generate, by workload, leaves them out.
SELECT
	day, client_ip, server_ip, server_port, protocol, client_nat_ip,
	connections, first_seen, last_seen,
	src_uid, src_namespace, src_kind, src_name, src_node,
	dst_uid, dst_namespace, dst_kind, dst_name, dst_node,
	service_namespace, service_name, service_port
FROM resolved_edges
WHERE last_seen >= ?1 AND first_seen < ?2
  AND (?3 = 1 OR (src_dup = 0 AND dst_dup = 0))
-- The order of cmp_row() in policygen/generate_flows.c: one database's
-- rows are handled as they come.
ORDER BY day, client_ip, server_ip, protocol, server_port;
