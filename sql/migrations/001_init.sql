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

