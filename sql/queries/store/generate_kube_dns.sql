-- policygen generate --dns kube-dns: the selector of the Service
-- kube-system/kube-dns, its ports' distinct targetPorts and its
-- ClusterIPs, each comma-separated (the targetPorts by the first port
-- that names each, the addresses by text): one row, or none when the
-- inventory has no such Service with a selector.
SELECT s.selector,
       (SELECT group_concat(target_port) FROM (
		SELECT target_port, min(port) AS port FROM service_port
		WHERE service_id = s.id GROUP BY target_port ORDER BY port)),
       (SELECT group_concat(ip) FROM (
		SELECT DISTINCT ip FROM service_ip WHERE service_id = s.id
		ORDER BY ip))
FROM service AS s
WHERE s.namespace = 'kube-system' AND s.name = 'kube-dns'
  AND s.selector IS NOT NULL;
