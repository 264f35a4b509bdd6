-- The named container ports of pod ?1 (pod.id), for named policy ports.
SELECT name, protocol, port FROM pod_port
WHERE pod_id = ?1 AND name IS NOT NULL
ORDER BY name, protocol, port;
