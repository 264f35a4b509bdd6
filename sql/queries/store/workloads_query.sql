-- policygen workloads: each workload, its pods now, the labels that select
-- it, whether its pods use the host's network (the columns of
-- generate_workloads.sql first), its connections out and in, and when it
-- was last seen talking (workload_traffic).  ?1 namespace or NULL.
WITH pods AS (
	SELECT namespace, workload_kind AS kind, workload_name AS name,
	       sum(gone_at IS NULL AND deleted IS NULL AND finished IS NULL)
		       AS now,
	       max(host_network) AS host_network
	FROM pod GROUP BY 1, 2, 3)
SELECT p.namespace, p.kind, p.name, ws.selector, ws.source, p.host_network,
       p.now, coalesce(t.conns_out, 0), coalesce(t.conns_in, 0),
       -- Unix seconds; NULL (silent) when it neither sent nor received.
       t.last_seen
FROM pods AS p
JOIN workload_selectors AS ws
	ON ws.namespace = p.namespace AND ws.kind = p.kind AND ws.name = p.name
LEFT JOIN workload_traffic AS t
	ON t.namespace = p.namespace AND t.kind = p.kind AND t.name = p.name
WHERE ?1 IS NULL OR p.namespace = ?1
ORDER BY 1, 2, 3;
