-- policygen workloads: each workload, its pods now, the labels that select
-- it, its connections out and in, and when it was last seen talking.
-- ?1 namespace or NULL.
--
-- The sums come from one pass over the edges, not from workload_edges,
-- which groups them by both ends first and, before schema version 4,
-- read them in an order that cost a table lookup each.  The bucket range
-- (true of every edge) makes SQLite walk the primary key, on every schema
-- version a read-only handle may find.  No bound on last_seen either: a
-- long connection's edge in an old bucket is seen again at its end.
WITH r AS MATERIALIZED (
	-- One identity per edge, however many of its pods held the address,
	-- as workload_edges counts them.  The columns it also reads
	-- (first_seen, the nodes, the holder counts) are the edge's own or
	-- follow from its addresses and bucket: leaving them out merges no
	-- two rows.
	SELECT DISTINCT bucket, client_ip, server_ip, server_port, protocol,
		service_ip, service_port, client_nat_ip, connections, last_seen,
		src_namespace, src_kind, src_name, dst_namespace, dst_kind,
		dst_name, service_namespace, service_name
	FROM flow_resolved
	WHERE bucket >= 0 AND (src_name IS NOT NULL OR dst_name IS NOT NULL)),
outgoing AS (
	SELECT src_namespace AS namespace, src_kind AS kind, src_name AS name,
	       sum(connections) AS n, max(last_seen) AS last
	FROM r WHERE src_name IS NOT NULL GROUP BY 1, 2, 3),
incoming AS (
	SELECT dst_namespace AS namespace, dst_kind AS kind, dst_name AS name,
	       sum(connections) AS n, max(last_seen) AS last
	FROM r WHERE dst_name IS NOT NULL GROUP BY 1, 2, 3),
pods AS (
	SELECT namespace, workload_kind AS kind, workload_name AS name,
	       sum(gone_at IS NULL AND deleted IS NULL AND finished IS NULL)
		       AS now,
	       max(host_network) AS host_network
	FROM pod GROUP BY 1, 2, 3)
SELECT p.namespace, p.kind, p.name, p.now, p.host_network, ws.selector,
       ws.source, coalesce(o.n, 0), coalesce(i.n, 0),
       -- Unix seconds; NULL (silent) when it neither sent nor received.
       max(coalesce(o.last, i.last), coalesce(i.last, o.last))
FROM pods AS p
JOIN workload_selectors AS ws
	ON ws.namespace = p.namespace AND ws.kind = p.kind AND ws.name = p.name
LEFT JOIN outgoing AS o
	ON o.namespace = p.namespace AND o.kind = p.kind AND o.name = p.name
LEFT JOIN incoming AS i
	ON i.namespace = p.namespace AND i.kind = p.kind AND i.name = p.name
WHERE ?1 IS NULL OR p.namespace = ?1
ORDER BY 1, 2, 3;
