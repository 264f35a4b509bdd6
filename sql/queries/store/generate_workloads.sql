-- policygen generate: every workload with its selector, whether its pods
-- use the host's network, and its pods' labels (to check that a selector
-- picks this workload alone).  Pods that ended before ?1 are left out.
SELECT ws.namespace, ws.kind, ws.name, ws.selector, ws.source,
       (SELECT max(p.host_network) FROM pod AS p
	WHERE p.namespace = ws.namespace AND p.workload_kind = ws.kind
	  AND p.workload_name = ws.name)
FROM workload_selectors AS ws
ORDER BY 1, 2, 3;
