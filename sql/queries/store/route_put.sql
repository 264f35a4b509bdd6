-- The id of the route ?1 server (addr.id), ?2 server_port, ?3 protocol,
-- ?4 service (addr.id, 0 none), ?5 service_port, ?6 client_nat (addr.id,
-- 0 none), added if new (never deleted, as addresses).
INSERT INTO route (server, server_port, protocol, service, service_port,
		   client_nat)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (server, server_port, protocol, service, service_port,
	     client_nat) DO UPDATE SET server = excluded.server
RETURNING id;
