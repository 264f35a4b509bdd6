-- policygen workloads: each workload, its pods now, the labels that select
-- it, its connections out and in, and when it was last seen talking.
-- ?1 namespace or NULL.
WITH we AS (SELECT * FROM workload_edges),
outgoing AS (
	SELECT src_namespace AS namespace, src_kind AS kind, src_name AS name,
	       sum(connections) AS n, max(last_seen) AS last
	FROM we WHERE src_name IS NOT NULL GROUP BY 1, 2, 3),
incoming AS (
	SELECT dst_namespace AS namespace, dst_kind AS kind, dst_name AS name,
	       sum(connections) AS n, max(last_seen) AS last
	FROM we WHERE dst_name IS NOT NULL GROUP BY 1, 2, 3),
pods AS (
	SELECT namespace, workload_kind AS kind, workload_name AS name,
	       sum(gone_at IS NULL AND deleted IS NULL AND finished IS NULL)
		       AS now,
	       max(host_network) AS host_network
	FROM pod GROUP BY 1, 2, 3)
SELECT p.namespace, p.kind, p.name, p.now, p.host_network, ws.selector,
       ws.source, coalesce(o.n, 0), coalesce(i.n, 0),
       CAST(strftime('%s', max(coalesce(o.last, ''), coalesce(i.last, ''))) AS INTEGER)
FROM pods AS p
JOIN workload_selectors AS ws
	ON ws.namespace = p.namespace AND ws.kind = p.kind AND ws.name = p.name
LEFT JOIN outgoing AS o
	ON o.namespace = p.namespace AND o.kind = p.kind AND o.name = p.name
LEFT JOIN incoming AS i
	ON i.namespace = p.namespace AND i.kind = p.kind AND i.name = p.name
WHERE ?1 IS NULL OR p.namespace = ?1
ORDER BY 1, 2, 3;
