-- policygen generate --dns kube-dns: the selector of the Service
-- kube-system/kube-dns and its ports' distinct targetPorts,
-- comma-separated.  An aggregate: one row, its selector NULL when the
-- inventory has no such Service with a selector.
SELECT s.selector, group_concat(DISTINCT sp.target_port)
FROM service AS s LEFT JOIN service_port AS sp ON sp.service_id = s.id
WHERE s.namespace = 'kube-system' AND s.name = 'kube-dns'
  AND s.selector IS NOT NULL;
