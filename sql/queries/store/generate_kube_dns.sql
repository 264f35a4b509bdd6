-- policygen generate --dns kube-dns: the selector of the Service
-- kube-system/kube-dns, its ports' distinct targetPorts and its
-- ClusterIPs, each comma-separated: one row, or none when the inventory
-- has no such Service with a selector.
SELECT s.selector,
       (SELECT group_concat(DISTINCT sp.target_port) FROM service_port AS sp
	WHERE sp.service_id = s.id),
       (SELECT group_concat(DISTINCT si.ip) FROM service_ip AS si
	WHERE si.service_id = s.id)
FROM service AS s
WHERE s.namespace = 'kube-system' AND s.name = 'kube-dns'
  AND s.selector IS NOT NULL;
