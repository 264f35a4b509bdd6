-- The routes a batch names, added if new, in order, as ship_addr_put.sql:
-- arrays of the server's address ($1), port ($2), protocol ($3), the
-- Service address ($4, '' none) and port ($5), the client after SNAT
-- ($6, '' none), one element per row.
INSERT INTO route (server, server_port, protocol, service, service_port,
		   client_nat)
SELECT DISTINCT s.id, x.server_port, x.protocol, coalesce(v.id, 0),
       x.service_port, coalesce(n.id, 0)
FROM unnest($1::text[], $2::integer[], $3::integer[], $4::text[],
	    $5::integer[], $6::text[])
	AS x (server, server_port, protocol, service, service_port,
	      client_nat)
JOIN addr AS s ON s.ip = x.server
LEFT JOIN addr AS v ON v.ip = x.service
LEFT JOIN addr AS n ON n.ip = x.client_nat
ORDER BY 1, 2, 3, 4, 5, 6
ON CONFLICT (server, server_port, protocol, service, service_port,
	     client_nat) DO NOTHING;
