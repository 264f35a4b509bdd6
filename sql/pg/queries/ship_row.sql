-- One raw row of node $1 as the node holds it now, replacing what was
-- shipped of it before (its addresses and route are there already:
-- ship_addr_put.sql, ship_route_put.sql).  $2 bucket, $3 client, $4 server,
-- $5 server_port, $6 protocol, $7 Service address ('' none), $8
-- service_port, $9 client after SNAT ('' none), $10 first_seen, $11
-- last_seen, $12 last_start (NULL: not known), $13 connections, $14
-- orig_bytes .. $17 reply_packets (NULL: not accounted), $18 the flush
-- number that changed it last: a row never goes back to older totals.
WITH p AS (
	SELECT $1::text AS node, $2::bigint AS bucket, $3::text AS client,
	       $4::text AS server, $5::integer AS server_port,
	       $6::integer AS protocol, $7::text AS service,
	       $8::integer AS service_port, $9::text AS client_nat,
	       $10::bigint AS first_seen, $11::bigint AS last_seen,
	       $12::bigint AS last_start, $13::bigint AS connections,
	       $14::bigint AS orig_bytes, $15::bigint AS orig_packets,
	       $16::bigint AS reply_bytes, $17::bigint AS reply_packets,
	       $18::bigint AS changed)
INSERT INTO node_edge_raw (node, bucket, client, route, first_off, last_off,
		      start_off, connections, orig_bytes, orig_packets,
		      reply_bytes, reply_packets, changed)
SELECT p.node, p.bucket, c.id, r.id, p.first_seen - p.bucket,
       p.last_seen - p.bucket, p.last_start - p.bucket, p.connections,
       p.orig_bytes, p.orig_packets, p.reply_bytes, p.reply_packets,
       p.changed
FROM p
JOIN addr AS c ON c.ip = p.client
JOIN addr AS s ON s.ip = p.server
JOIN route AS r ON r.server = s.id AND r.server_port = p.server_port
	AND r.protocol = p.protocol
	AND r.service = coalesce((SELECT id FROM addr WHERE ip = p.service), 0)
	AND r.service_port = p.service_port
	AND r.client_nat = coalesce((SELECT id FROM addr
				     WHERE ip = p.client_nat), 0)
ON CONFLICT (node, bucket, client, route) DO UPDATE SET
	first_off = excluded.first_off, last_off = excluded.last_off,
	start_off = excluded.start_off, connections = excluded.connections,
	orig_bytes = excluded.orig_bytes, orig_packets = excluded.orig_packets,
	reply_bytes = excluded.reply_bytes,
	reply_packets = excluded.reply_packets, changed = excluded.changed
WHERE node_edge_raw.changed <= excluded.changed;
