-- policygen workloads: each workload, its pods now, the labels that select
-- it, its connections out and in, and when it was last seen talking.
-- ?1 namespace or NULL.
--
-- The sums come from one pass over the resolved edges by id (flow_days),
-- not from workload_edges, which names and groups them by both ends
-- first.  No bound on last_seen: a long connection's edge is seen again
-- at its end.
WITH r AS MATERIALIZED (
	-- By pods first: a week holds each of a day's edges seven times.
	SELECT src_pod_id, dst_pod_id, sum(connections) AS connections,
	       max(last_seen) AS last_seen
	FROM flow_days
	WHERE (src_pod_id <> 0 OR dst_pod_id <> 0)
	  AND src_dup = 0 AND dst_dup = 0
	GROUP BY 1, 2),
outgoing AS (
	SELECT p.namespace, p.workload_kind AS kind, p.workload_name AS name,
	       sum(r.connections) AS n, max(r.last_seen) AS last
	FROM r JOIN pod AS p ON p.id = r.src_pod_id GROUP BY 1, 2, 3),
incoming AS (
	SELECT p.namespace, p.workload_kind AS kind, p.workload_name AS name,
	       sum(r.connections) AS n, max(r.last_seen) AS last
	FROM r JOIN pod AS p ON p.id = r.dst_pod_id GROUP BY 1, 2, 3),
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
