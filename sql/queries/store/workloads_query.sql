-- policygen workloads: each workload, its pods now, the labels that select
-- it and whether its pods use the host's network (the columns of
-- generate_workloads.sql first); store/read_flows.c adds its traffic.
-- ?1 namespace or NULL.
WITH pods AS (
	SELECT namespace, workload_kind AS kind, workload_name AS name,
	       sum(CASE WHEN gone_at IS NULL AND deleted IS NULL
			     AND finished IS NULL THEN 1 ELSE 0 END) AS now,
	       max(host_network) AS host_network
	FROM pod GROUP BY 1, 2, 3)
SELECT p.namespace, p.kind, p.name, ws.selector, ws.source, p.host_network,
       p.now
FROM pods AS p
JOIN workload_selectors AS ws
	ON ws.namespace = p.namespace AND ws.kind = p.kind AND ws.name = p.name
WHERE CAST(?1 AS TEXT) IS NULL OR p.namespace = ?1
ORDER BY 1, 2, 3;
