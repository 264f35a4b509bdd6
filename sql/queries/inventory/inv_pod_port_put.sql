-- ?1 pod id, ?2 container, ?3 name, ?4 port, ?5 protocol.
INSERT INTO pod_port (pod_id, container, name, port, protocol)
VALUES (?1, ?2, ?3, ?4, ?5)
ON CONFLICT (pod_id, container, port, protocol) DO UPDATE SET
	name = excluded.name;
