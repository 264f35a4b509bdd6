-- policygen workloads on a read-only database of a schema before 8
-- (compat_resolved_edges.sql): workloads_query.sql's rows from its names.
-- ?1 namespace or NULL.
--
-- The sums come from one pass over the resolved edges, not from
-- workload_edges, which groups them by both ends first.  No bound on
-- last_seen: a long connection's edge is seen again at its end.
WITH r AS MATERIALIZED (
	SELECT connections, last_seen, src_namespace, src_kind, src_name,
	       dst_namespace, dst_kind, dst_name
	FROM resolved_edges
	WHERE (src_name IS NOT NULL OR dst_name IS NOT NULL)
	  AND src_dup = 0 AND dst_dup = 0),
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
