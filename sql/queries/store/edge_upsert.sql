-- Folds one aggregated edge into its time bucket.
-- ?1 bucket, ?2 client_ip, ?3 server_ip, ?4 server_port, ?5 protocol,
-- ?6 service_ip, ?7 service_port, ?8 client_nat_ip, ?9 first_seen,
-- ?10 last_seen, ?11 connections, ?12 orig_bytes, ?13 orig_packets,
-- ?14 reply_bytes, ?15 reply_packets (NULL when not accounted), ?16
-- last_start (NULL when the edge counts no connection, or one whose start
-- is not known).
INSERT INTO edge (bucket, client_ip, server_ip, server_port, protocol,
		  service_ip, service_port, client_nat_ip, first_seen,
		  last_seen, connections, orig_bytes, orig_packets,
		  reply_bytes, reply_packets, last_start)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
	?16)
ON CONFLICT (bucket, client_ip, server_ip, server_port, protocol,
	     service_ip, service_port, client_nat_ip) DO UPDATE SET
	-- The earliest start of its connections, so only an edge that counts
	-- some may lower it; a row that counts none yet holds when it was
	-- first seen, which a first start replaces (as collector/flowtab.c).
	-- SET expressions read the row as it was.
	first_seen    = CASE
		WHEN excluded.connections = 0 AND connections > 0 THEN first_seen
		WHEN excluded.connections > 0 AND connections = 0
			THEN excluded.first_seen
		ELSE min(first_seen, excluded.first_seen) END,
	last_seen     = max(last_seen, excluded.last_seen),
	-- The latest start, as long as every counted connection's start is
	-- known: one that is not (NULL with connections) makes the row's
	-- starts unknown for good, and attribution falls back to its bucket.
	-- An edge that counts none leaves it; the first that counts sets it.
	last_start    = CASE
		WHEN excluded.connections = 0 THEN last_start
		WHEN connections = 0 THEN excluded.last_start
		WHEN last_start IS NULL OR excluded.last_start IS NULL THEN NULL
		ELSE max(last_start, excluded.last_start) END,
	connections   = connections + excluded.connections,
	orig_bytes    = coalesce(orig_bytes + excluded.orig_bytes,
				 orig_bytes, excluded.orig_bytes),
	orig_packets  = coalesce(orig_packets + excluded.orig_packets,
				 orig_packets, excluded.orig_packets),
	reply_bytes   = coalesce(reply_bytes + excluded.reply_bytes,
				 reply_bytes, excluded.reply_bytes),
	reply_packets = coalesce(reply_packets + excluded.reply_packets,
				 reply_packets, excluded.reply_packets);
