-- One raw row of node $1 as the node holds it now: its addresses and
-- route added if new, the row replacing what was shipped of it before.
-- $2 bucket, $3 client, $4 server, $5 server_port, $6 protocol, $7
-- service address ('' none), $8 service_port, $9 client_nat ('' none),
-- $10 first_seen, $11 last_seen, $12 last_start (NULL: not known), $13
-- connections, $14 orig_bytes .. $17 reply_packets (NULL: not
-- accounted), $18 the flush number that changed it last.
WITH p AS (
	SELECT $1::text AS node, $2::bigint AS bucket, $3::text AS client,
	       $4::text AS server, $5::integer AS server_port,
	       $6::integer AS protocol, $7::text AS service,
	       $8::integer AS service_port, $9::text AS client_nat,
	       $10::bigint AS first_seen, $11::bigint AS last_seen,
	       $12::bigint AS last_start, $13::bigint AS connections,
	       $14::bigint AS orig_bytes, $15::bigint AS orig_packets,
	       $16::bigint AS reply_bytes, $17::bigint AS reply_packets,
	       $18::bigint AS changed),
ips (ip) AS (
	SELECT ip FROM p, unnest(ARRAY[p.client, p.server, p.service,
				       p.client_nat]) AS u (ip)
	WHERE ip <> ''),
new_addr AS (
	INSERT INTO addr (ip) SELECT DISTINCT ip FROM ips
	ON CONFLICT (ip) DO NOTHING
	RETURNING id, ip),
a AS (
	SELECT id, ip FROM new_addr
	UNION ALL
	SELECT addr.id, addr.ip FROM addr JOIN ips ON ips.ip = addr.ip),
r AS (
	INSERT INTO route (server, server_port, protocol, service,
			   service_port, client_nat)
	SELECT (SELECT id FROM a WHERE ip = p.server LIMIT 1), p.server_port,
	       p.protocol,
	       coalesce((SELECT id FROM a WHERE ip = p.service LIMIT 1), 0),
	       p.service_port,
	       coalesce((SELECT id FROM a WHERE ip = p.client_nat LIMIT 1), 0)
	FROM p
	ON CONFLICT (server, server_port, protocol, service, service_port,
		     client_nat)
	DO UPDATE SET server = excluded.server
	RETURNING id)
INSERT INTO edge_raw (node, bucket, client, route, first_off, last_off,
		      start_off, connections, orig_bytes, orig_packets,
		      reply_bytes, reply_packets, changed)
SELECT p.node, p.bucket, (SELECT id FROM a WHERE ip = p.client LIMIT 1),
       r.id, p.first_seen - p.bucket, p.last_seen - p.bucket,
       p.last_start - p.bucket, p.connections, p.orig_bytes,
       p.orig_packets, p.reply_bytes, p.reply_packets, p.changed
FROM p, r
ON CONFLICT (node, bucket, client, route) DO UPDATE SET
	first_off = excluded.first_off, last_off = excluded.last_off,
	start_off = excluded.start_off, connections = excluded.connections,
	orig_bytes = excluded.orig_bytes, orig_packets = excluded.orig_packets,
	reply_bytes = excluded.reply_bytes,
	reply_packets = excluded.reply_packets, changed = excluded.changed;
