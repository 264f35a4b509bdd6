-- Schema version 8: identity decided once and kept.
--
-- Every read used to resolve every raw row (one per edge per minute)
-- against the inventory.  Writers now resolve the raw rows once the
-- inventory covers them, into a row per edge, pods and UTC day
-- (edge_day), and reads take the kept rows plus the tail not resolved
-- yet (sql/views.sql: flow_days).
--
-- A day, not an hour: a recurring edge is one row a day instead of up to
-- 24, so a reader of the default window (all recorded time) reads about
-- as many rows as there are distinct edges per day, and a day of them
-- costs little room beside the raw rows it came from.  A window that
-- starts inside a resolved day takes that day's rows whole: which peers
-- appear stays exact (a row counts when its connections were seen at or
-- after --since), their connection counts are the day's.

-- The resolved rows.  The ends are pods by pod.id (one per uid, never
-- reused; 0: no pod held the address), the Service by service.id (0:
-- none), so that names, workloads and labels come from the inventory as
-- it is when read.  The raw key stays: addresses for ad-hoc questions
-- and ipBlock peers, and the key two node files' rows of one connection
-- share.  *_dup: another pod of the same workload was credited with
-- these connections too (a rolling restart on one address): a reader by
-- workload leaves the row out, a reader by pod keeps it.  *_holders is
-- the most tenures any of its raw rows met (above 1:
-- ambiguous).  unstarted counts its raw rows attributed by their bucket
-- (no start times), each shared out among the rows it was credited to
-- (1 / (src_holders * dst_holders): the bucket rule credits every holder),
-- so that the rows of a window add up to the raw rows.
CREATE TABLE edge_day (
	day           INTEGER NOT NULL,
	client_ip     TEXT    NOT NULL,
	server_ip     TEXT    NOT NULL,
	server_port   INTEGER NOT NULL,
	protocol      INTEGER NOT NULL,
	service_ip    TEXT    NOT NULL,
	service_port  INTEGER NOT NULL,
	client_nat_ip TEXT    NOT NULL,
	src_pod_id    INTEGER NOT NULL,
	dst_pod_id    INTEGER NOT NULL,
	service_id    INTEGER NOT NULL,
	src_dup       INTEGER NOT NULL,
	dst_dup       INTEGER NOT NULL,
	src_holders   INTEGER NOT NULL,
	dst_holders   INTEGER NOT NULL,
	connections   INTEGER NOT NULL,
	first_seen    INTEGER NOT NULL,
	last_seen     INTEGER NOT NULL,
	bytes         INTEGER,
	packets       INTEGER,
	unstarted     REAL    NOT NULL,
	PRIMARY KEY (day, client_ip, server_ip, server_port, protocol,
		     service_ip, service_port, client_nat_ip, src_pod_id,
		     dst_pod_id, service_id, src_dup, dst_dup)
) STRICT, WITHOUT ROWID;

-- What the day rows were resolved against, per day: a digest of the
-- tenures, Services and node addresses that meet the day's resolved
-- part.  A later import that changes them changes the digest, and the
-- day is resolved again from its raw rows while they are kept.
CREATE TABLE edge_day_inventory (
	day    INTEGER PRIMARY KEY,
	digest INTEGER NOT NULL
) STRICT;

-- Changes to raw rows already resolved (the end of a long connection
-- adds its bytes and last_seen to the row of the minute it started in;
-- a table dump counts a connection that started hours ago), one row per
-- change, with the raw row's key, first_seen and last_start (so that a
-- delta is credited to the pods its row is) and what it added.  The next
-- resolution adds them to the day rows and empties the table.  The
-- triggers below write it, so that every writer of edge keeps it.
CREATE TABLE edge_late (
	id            INTEGER PRIMARY KEY,
	bucket        INTEGER NOT NULL,
	client_ip     TEXT    NOT NULL,
	server_ip     TEXT    NOT NULL,
	server_port   INTEGER NOT NULL,
	protocol      INTEGER NOT NULL,
	service_ip    TEXT    NOT NULL,
	service_port  INTEGER NOT NULL,
	client_nat_ip TEXT    NOT NULL,
	first_seen    INTEGER NOT NULL,
	last_seen     INTEGER NOT NULL,
	last_start    INTEGER,
	connections   INTEGER NOT NULL,
	bytes         INTEGER,
	packets       INTEGER
) STRICT;

-- A raw row of a resolved bucket (before meta resolved_until), new or
-- changed.
CREATE TRIGGER edge_late_insert AFTER INSERT ON edge
WHEN NEW.bucket < (SELECT CAST(value AS INTEGER) FROM meta
		   WHERE key = 'resolved_until')
BEGIN
	INSERT INTO edge_late SELECT NULL, NEW.bucket, NEW.client_ip,
		NEW.server_ip, NEW.server_port, NEW.protocol, NEW.service_ip,
		NEW.service_port, NEW.client_nat_ip, NEW.first_seen,
		NEW.last_seen, NEW.last_start, NEW.connections,
		NEW.orig_bytes + NEW.reply_bytes,
		NEW.orig_packets + NEW.reply_packets;
END;

CREATE TRIGGER edge_late_update AFTER UPDATE ON edge
WHEN NEW.bucket < (SELECT CAST(value AS INTEGER) FROM meta
		   WHERE key = 'resolved_until')
BEGIN
	INSERT INTO edge_late SELECT NULL, NEW.bucket, NEW.client_ip,
		NEW.server_ip, NEW.server_port, NEW.protocol, NEW.service_ip,
		NEW.service_port, NEW.client_nat_ip, NEW.first_seen,
		NEW.last_seen, NEW.last_start,
		NEW.connections - OLD.connections,
		NEW.orig_bytes + NEW.reply_bytes -
			coalesce(OLD.orig_bytes + OLD.reply_bytes, 0),
		NEW.orig_packets + NEW.reply_packets -
			coalesce(OLD.orig_packets + OLD.reply_packets, 0);
END;

-- The protocol names the views show, as lib/proto.c names them (a test
-- holds the two together).
CREATE TABLE protocol (
	number INTEGER PRIMARY KEY,
	name   TEXT NOT NULL
) STRICT;
INSERT INTO protocol (number, name) VALUES
	(1, 'ICMP'), (6, 'TCP'), (17, 'UDP'), (58, 'ICMP'), (132, 'SCTP');

-- How far the inventory reaches, which resolution may not pass: from now
-- on each import says (meta inventory_at); for an inventory imported
-- before, when its last snapshot saw anything.  The first writer to open
-- the database resolves what it covers (store_open()).
INSERT INTO meta (key, value)
SELECT 'inventory_at', CAST(max(t) AS TEXT) FROM (
	SELECT max(last_seen) AS t FROM pod
	UNION ALL SELECT max(last_seen) FROM namespace
	UNION ALL SELECT max(last_seen) FROM node
	UNION ALL SELECT max(last_seen) FROM service)
WHERE t IS NOT NULL
HAVING max(t) IS NOT NULL;
