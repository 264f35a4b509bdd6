-- Every pod as endpoint_pod.sql gives one, with its uid first: read at
-- once where a round trip per pod costs more (a cluster store's server).
SELECT p.uid, p.id, p.namespace, p.workload_kind, p.workload_name, p.node,
       p.host_network, p.labels, coalesce(n.labels, '{}')
FROM pod AS p LEFT JOIN namespace AS n ON n.name = p.namespace;
