-- generate_kube_dns.sql in PostgreSQL: string_agg for group_concat.
SELECT s.selector,
       (SELECT string_agg(DISTINCT sp.target_port, ',') FROM service_port AS sp
	WHERE sp.service_id = s.id),
       (SELECT string_agg(DISTINCT si.ip, ',') FROM service_ip AS si
	WHERE si.service_id = s.id)
FROM service AS s
WHERE s.namespace = 'kube-system' AND s.name = 'kube-dns'
  AND s.selector IS NOT NULL;
