-- Schema version 4: read performance on large databases.
--
-- flow_resolved counts the holders of both addresses of every edge, and
-- each count tests valid_until: with it in the index, the count reads the
-- index alone instead of one pod_ip row per holder.
DROP INDEX pod_ip_by_ip;
CREATE INDEX pod_ip_by_ip ON pod_ip (ip, valid_from, valid_until);

-- No statement looks edges up by server: every reader ranges over the
-- buckets (the primary key) or names a client (edge_by_client, which
-- "everything one address did" in the README needs).  The index only cost
-- podflowd one more b-tree to write per new edge, and space: 55 MiB of a
-- day of a 5,000-pod cluster's 186.
DROP INDEX edge_by_server;

-- workload_edges read the edges through edge_by_client, which gives no
-- range but the order of the GROUP BY's first column: one random table
-- lookup per edge, and the DISTINCT b-tree filled in random order.  A
-- bucket range, true of every edge (buckets are Unix times), makes SQLite
-- walk the primary key instead.  Same columns, same rows.
DROP VIEW workload_edges;
CREATE VIEW workload_edges AS
SELECT
	src_namespace,
	src_kind,
	src_name,
	CASE WHEN src_name IS NULL AND src_node IS NULL THEN client_ip END AS src_ip,
	CASE WHEN src_name IS NULL THEN src_node END AS src_node,
	dst_namespace,
	dst_kind,
	dst_name,
	CASE WHEN dst_name IS NULL AND dst_node IS NULL THEN server_ip END AS dst_ip,
	CASE WHEN dst_name IS NULL THEN dst_node END AS dst_node,
	server_port AS port,
	protocol,
	service_namespace,
	service_name,
	sum(connections) AS connections,
	strftime('%Y-%m-%dT%H:%M:%SZ', min(first_seen), 'unixepoch') AS first_seen,
	strftime('%Y-%m-%dT%H:%M:%SZ', max(last_seen), 'unixepoch') AS last_seen,
	max(src_holders > 1 OR dst_holders > 1) AS ambiguous
FROM (
	-- Two pods of one workload holding an address in one bucket (a
	-- rolling restart) are one identity: count the edge once.
	SELECT DISTINCT bucket, client_ip, server_ip, server_port, protocol,
		service_ip, service_port, client_nat_ip, connections,
		first_seen, last_seen, src_namespace, src_kind, src_name,
		src_node, src_holders, dst_namespace, dst_kind, dst_name,
		dst_node, dst_holders, service_namespace, service_name
	FROM flow_resolved
	WHERE bucket >= 0)
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14;
