-- The routes flows_window.sql's rows name by id: the server's address
-- and port, the protocol by name as resolved_edges spells it, the Service
-- address dialled and the client's after SNAT (address ids, 0: none).
SELECT r.id, r.server, r.server_port,
       coalesce(p.name, CAST(r.protocol AS TEXT)), r.service,
       r.service_port, r.client_nat
FROM route AS r LEFT JOIN protocol AS p ON p.number = r.protocol
ORDER BY r.id;
