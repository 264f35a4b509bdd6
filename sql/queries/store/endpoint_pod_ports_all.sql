-- Every pod's named container ports as endpoint_pod_ports.sql gives one
-- pod's, by pod: read at once with endpoint_pods_all.sql.
SELECT pod_id, name, protocol, port FROM pod_port
WHERE name IS NOT NULL
ORDER BY pod_id, name, protocol, port;
