-- Schema version 1: store metadata and aggregated flow edges.
--
-- Times are integer Unix seconds (UTC).  Addresses are canonical text, as
-- inet_ntop() writes them, so that ad-hoc queries can compare them as typed.

-- Facts about the database as a whole, written by podflowd: the pod CIDRs
-- in force, the time bucket width, the node name.
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

-- One row per distinct edge per time bucket.  The bucket is what lets a
-- reader attribute a flow to whoever held a reused pod IP at that time.
--
-- client_ip      original source of the connection.
-- server_ip/port reply source: the backend after DNAT, not a ClusterIP.
-- service_*      the address the client dialled when DNAT changed it.
-- client_nat_ip  the address the server saw when SNAT changed the client.
-- protocol       IANA protocol number (6 TCP, 17 UDP, 132 SCTP, 1/58 ICMP).
--
-- NULLs never conflict in a key, so "none" is '' (and port 0) in this
-- table; the views turn it back into NULL.  Byte and packet counts are NULL
-- until the kernel's accounting reports them.
CREATE TABLE edge (
	bucket        INTEGER NOT NULL,
	client_ip     TEXT    NOT NULL,
	server_ip     TEXT    NOT NULL,
	server_port   INTEGER NOT NULL,
	protocol      INTEGER NOT NULL,
	service_ip    TEXT    NOT NULL DEFAULT '',
	service_port  INTEGER NOT NULL DEFAULT 0,
	client_nat_ip TEXT    NOT NULL DEFAULT '',
	first_seen    INTEGER NOT NULL,
	last_seen     INTEGER NOT NULL,
	connections   INTEGER NOT NULL,
	orig_bytes    INTEGER,
	orig_packets  INTEGER,
	reply_bytes   INTEGER,
	reply_packets INTEGER,
	PRIMARY KEY (bucket, client_ip, server_ip, server_port, protocol,
		     service_ip, service_port, client_nat_ip)
) STRICT, WITHOUT ROWID;

-- Readers look edges up by address; the key starts with the bucket.
CREATE INDEX edge_by_server ON edge (server_ip, server_port);
CREATE INDEX edge_by_client ON edge (client_ip);

-- flow_edge_buckets: one row per edge per time bucket, as text.
CREATE VIEW flow_edge_buckets AS
SELECT
	strftime('%Y-%m-%dT%H:%M:%SZ', e.bucket, 'unixepoch') AS bucket,
	e.client_ip,
	e.server_ip,
	e.server_port,
	CASE e.protocol
		WHEN 6 THEN 'TCP' WHEN 17 THEN 'UDP' WHEN 132 THEN 'SCTP'
		WHEN 1 THEN 'ICMP' WHEN 58 THEN 'ICMP'
		ELSE CAST(e.protocol AS TEXT) END AS protocol,
	NULLIF(e.service_ip, '') AS service_ip,
	CASE WHEN e.service_ip = '' THEN NULL ELSE e.service_port END AS service_port,
	NULLIF(e.client_nat_ip, '') AS client_nat_ip,
	e.connections,
	strftime('%Y-%m-%dT%H:%M:%SZ', e.first_seen, 'unixepoch') AS first_seen,
	strftime('%Y-%m-%dT%H:%M:%SZ', e.last_seen, 'unixepoch') AS last_seen,
	e.orig_bytes + e.reply_bytes AS bytes,
	e.orig_packets + e.reply_packets AS packets,
	e.protocol IN (6, 17, 132) AS expressible
FROM edge AS e;

-- flow_edges: one row per edge over all time buckets.  expressible is 0
-- for protocols a NetworkPolicy cannot name (ICMP).
CREATE VIEW flow_edges AS
SELECT
	e.client_ip,
	e.server_ip,
	e.server_port,
	CASE e.protocol
		WHEN 6 THEN 'TCP' WHEN 17 THEN 'UDP' WHEN 132 THEN 'SCTP'
		WHEN 1 THEN 'ICMP' WHEN 58 THEN 'ICMP'
		ELSE CAST(e.protocol AS TEXT) END AS protocol,
	NULLIF(e.service_ip, '') AS service_ip,
	CASE WHEN e.service_ip = '' THEN NULL ELSE e.service_port END AS service_port,
	NULLIF(e.client_nat_ip, '') AS client_nat_ip,
	SUM(e.connections) AS connections,
	strftime('%Y-%m-%dT%H:%M:%SZ', MIN(e.first_seen), 'unixepoch') AS first_seen,
	strftime('%Y-%m-%dT%H:%M:%SZ', MAX(e.last_seen), 'unixepoch') AS last_seen,
	SUM(e.orig_bytes + e.reply_bytes) AS bytes,
	SUM(e.orig_packets + e.reply_packets) AS packets,
	e.protocol IN (6, 17, 132) AS expressible
FROM edge AS e
GROUP BY e.client_ip, e.server_ip, e.server_port, e.protocol,
	 e.service_ip, e.service_port, e.client_nat_ip;
