-- generate_kube_dns.sql in PostgreSQL: string_agg for group_concat, in
-- the same order (the target ports by the first port that names each,
-- the addresses by text).
SELECT s.selector,
       (SELECT string_agg(t.target_port, ',' ORDER BY t.port)
	FROM (SELECT target_port, min(port) AS port FROM service_port
	      WHERE service_id = s.id GROUP BY target_port) AS t),
       (SELECT string_agg(DISTINCT si.ip, ',' ORDER BY si.ip)
	FROM service_ip AS si WHERE si.service_id = s.id)
FROM service AS s
WHERE s.namespace = 'kube-system' AND s.name = 'kube-dns'
  AND s.selector IS NOT NULL;
