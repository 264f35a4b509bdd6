-- Cluster store schema version 1 (PostgreSQL): every node's raw rows, as
-- `policygen ship` sends them from the node's own database.
--
-- The node's addresses and routes are its database's ids, which mean
-- nothing here: a row is keyed by node and by the addresses and ports
-- themselves, each address once in addr, as on a node.  A row holds the
-- node's current totals (a shipped row replaces, never adds), so shipping
-- a row twice changes nothing.  ship_state keeps each node's high-water
-- mark, the last flush number (012_change_seq.sql on the node) whose rows
-- are here, written in the same transaction as the rows.
CREATE TABLE pg_meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE node (
	name TEXT PRIMARY KEY
);

CREATE TABLE addr (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	ip TEXT NOT NULL UNIQUE
);

-- service and client_nat 0: none, as on a node.
CREATE TABLE route (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	server       BIGINT NOT NULL REFERENCES addr (id),
	server_port  INTEGER NOT NULL,
	protocol     INTEGER NOT NULL,
	service      BIGINT NOT NULL,
	service_port INTEGER NOT NULL,
	client_nat   BIGINT NOT NULL,
	UNIQUE (server, server_port, protocol, service, service_port,
		client_nat)
);

CREATE TABLE edge_raw (
	node          TEXT NOT NULL REFERENCES node (name),
	bucket        BIGINT NOT NULL,
	client        BIGINT NOT NULL REFERENCES addr (id),
	route         BIGINT NOT NULL REFERENCES route (id),
	first_off     BIGINT NOT NULL,
	last_off      BIGINT NOT NULL,
	start_off     BIGINT,
	connections   BIGINT NOT NULL,
	orig_bytes    BIGINT,
	orig_packets  BIGINT,
	reply_bytes   BIGINT,
	reply_packets BIGINT,
	changed       BIGINT NOT NULL, -- the node's flush number
	PRIMARY KEY (node, bucket, client, route)
);

-- database_id: the node database's own (its meta database_id), whose
-- flush numbers shipped_seq counts in.
CREATE TABLE ship_state (
	node        TEXT PRIMARY KEY REFERENCES node (name),
	database_id TEXT NOT NULL,
	shipped_seq BIGINT NOT NULL, -- -1: nothing yet
	rows        BIGINT NOT NULL, -- rows sent, over every run
	updated     BIGINT NOT NULL  -- Unix seconds
);
