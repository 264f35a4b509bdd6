-- Folds one aggregated edge into its time bucket.
-- ?1 bucket, ?2 client (addr.id), ?3 route (route.id), ?4 first_seen,
-- ?5 last_seen, ?6 connections, ?7 orig_bytes, ?8 orig_packets, ?9
-- reply_bytes, ?10 reply_packets (NULL when not accounted), ?11
-- last_start (NULL when the edge counts no connection, or one whose start
-- is not known), ?12 the flush's number of the change sequence
-- (change_log_put.sql).  Times are Unix seconds, kept less the bucket.
INSERT INTO edge_raw (bucket, client, route, first_off, last_off, start_off,
		      connections, orig_bytes, orig_packets, reply_bytes,
		      reply_packets, changed)
VALUES (?1, ?2, ?3, ?4 - ?1, ?5 - ?1, ?11 - ?1, ?6, ?7, ?8, ?9, ?10, ?12)
ON CONFLICT (bucket, client, route) DO UPDATE SET
	changed       = excluded.changed,
	-- The earliest start of its connections, so only an edge that counts
	-- some may lower it; a row that counts none yet holds when it was
	-- first seen, which a first start replaces (as collector/flowtab.c).
	-- SET expressions read the row as it was.
	first_off     = CASE
		WHEN excluded.connections = 0 AND connections > 0 THEN first_off
		WHEN excluded.connections > 0 AND connections = 0
			THEN excluded.first_off
		ELSE min(first_off, excluded.first_off) END,
	last_off      = max(last_off, excluded.last_off),
	-- The latest start, as long as every counted connection's start is
	-- known: one that is not (NULL with connections) makes the row's
	-- starts unknown for good, and attribution falls back to its bucket.
	-- An edge that counts none leaves it; the first that counts sets it.
	start_off     = CASE
		WHEN excluded.connections = 0 THEN start_off
		WHEN connections = 0 THEN excluded.start_off
		WHEN start_off IS NULL OR excluded.start_off IS NULL THEN NULL
		ELSE max(start_off, excluded.start_off) END,
	-- Sums saturate at the largest integer (so does collector/
	-- flowtab.c): past it, SQLite would make the sum a REAL, which a
	-- STRICT table refuses, and every later flush would fail.
	connections   = CASE WHEN connections > 9223372036854775807 - excluded.connections
			     THEN 9223372036854775807
			     ELSE connections + excluded.connections END,
	orig_bytes    = coalesce(CASE WHEN orig_bytes > 9223372036854775807 - excluded.orig_bytes
				      THEN 9223372036854775807
				      ELSE orig_bytes + excluded.orig_bytes END,
				 orig_bytes, excluded.orig_bytes),
	orig_packets  = coalesce(CASE WHEN orig_packets > 9223372036854775807 - excluded.orig_packets
				      THEN 9223372036854775807
				      ELSE orig_packets + excluded.orig_packets END,
				 orig_packets, excluded.orig_packets),
	reply_bytes   = coalesce(CASE WHEN reply_bytes > 9223372036854775807 - excluded.reply_bytes
				      THEN 9223372036854775807
				      ELSE reply_bytes + excluded.reply_bytes END,
				 reply_bytes, excluded.reply_bytes),
	reply_packets = coalesce(CASE WHEN reply_packets > 9223372036854775807 - excluded.reply_packets
				      THEN 9223372036854775807
				      ELSE reply_packets + excluded.reply_packets END,
				 reply_packets, excluded.reply_packets);
