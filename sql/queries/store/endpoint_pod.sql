-- A pod by uid, as a policy sees it: namespace, labels, node, and its
-- namespace's labels ('{}' when the namespace was not imported).
SELECT p.id, p.namespace, p.workload_kind, p.workload_name, p.node,
       p.host_network, p.labels, coalesce(n.labels, '{}')
FROM pod AS p LEFT JOIN namespace AS n ON n.name = p.namespace
WHERE p.uid = ?1;
