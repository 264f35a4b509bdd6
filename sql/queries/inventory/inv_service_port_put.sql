-- ?1 service id, ?2 name, ?3 port, ?4 target port, ?5 protocol, ?6 nodePort.
INSERT INTO service_port (service_id, name, port, target_port, protocol,
			  node_port)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (service_id, port, protocol) DO UPDATE SET
	name = excluded.name, target_port = excluded.target_port,
	node_port = excluded.node_port;
