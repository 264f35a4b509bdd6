-- Schema version 8: identity decided once and kept, and raw rows small.
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
--
-- The raw rows lose their text: a day of a big cluster is a million of
-- them over a few thousand addresses, and each repeated its addresses,
-- ports and times whole (130 MiB a day, half of it the index on clients).
-- Addresses are kept once (addr), the way a client's connections went
-- once (route: the server, its port and protocol, the Service address
-- and port dialled, the SNAT address), times as seconds into the bucket;
-- the view edge shows the rows as they were, and takes rows written to it.

-- Every address an edge names, once.
CREATE TABLE addr (
	id INTEGER PRIMARY KEY,
	ip TEXT NOT NULL UNIQUE
) STRICT;

-- The ways connections went, once each: the server that answered (after
-- DNAT) on its port and protocol, the Service address and port the client
-- dialled (0: none), the address the server saw when SNAT changed the
-- client (0: none).  Addresses by addr.id.
CREATE TABLE route (
	id           INTEGER PRIMARY KEY,
	server       INTEGER NOT NULL,
	server_port  INTEGER NOT NULL,
	protocol     INTEGER NOT NULL,
	service      INTEGER NOT NULL,
	service_port INTEGER NOT NULL,
	client_nat   INTEGER NOT NULL,
	UNIQUE (server, server_port, protocol, service, service_port,
		client_nat)
) STRICT;

-- The raw rows: one per client, route and time bucket.  first_off,
-- last_off and start_off are first_seen, last_seen and last_start less
-- the bucket (start_off NULL: a start not known).  No index on clients:
-- "everything one address did" reads the day's rows, a tenth of a second.
CREATE TABLE edge_raw (
	bucket        INTEGER NOT NULL,
	client        INTEGER NOT NULL,
	route         INTEGER NOT NULL,
	first_off     INTEGER NOT NULL,
	last_off      INTEGER NOT NULL,
	start_off     INTEGER,
	connections   INTEGER NOT NULL,
	orig_bytes    INTEGER,
	orig_packets  INTEGER,
	reply_bytes   INTEGER,
	reply_packets INTEGER,
	PRIMARY KEY (bucket, client, route)
) STRICT, WITHOUT ROWID;

INSERT INTO addr (ip)
SELECT ip FROM (SELECT client_ip AS ip FROM edge
		UNION SELECT server_ip FROM edge
		UNION SELECT service_ip FROM edge
		UNION SELECT client_nat_ip FROM edge)
WHERE ip <> '' ORDER BY ip;
INSERT INTO route (server, server_port, protocol, service, service_port,
		   client_nat)
SELECT DISTINCT s.id, e.server_port, e.protocol, coalesce(v.id, 0),
       e.service_port, coalesce(n.id, 0)
FROM edge AS e
JOIN addr AS s ON s.ip = e.server_ip
LEFT JOIN addr AS v ON v.ip = e.service_ip
LEFT JOIN addr AS n ON n.ip = e.client_nat_ip;
INSERT INTO edge_raw
SELECT e.bucket, c.id, r.id, e.first_seen - e.bucket, e.last_seen - e.bucket,
       e.last_start - e.bucket, e.connections, e.orig_bytes, e.orig_packets,
       e.reply_bytes, e.reply_packets
FROM edge AS e
JOIN addr AS c ON c.ip = e.client_ip
JOIN addr AS s ON s.ip = e.server_ip
LEFT JOIN addr AS v ON v.ip = e.service_ip
LEFT JOIN addr AS n ON n.ip = e.client_nat_ip
JOIN route AS r ON r.server = s.id AND r.server_port = e.server_port
	AND r.protocol = e.protocol AND r.service = coalesce(v.id, 0)
	AND r.service_port = e.service_port AND r.client_nat = coalesce(n.id, 0)
ORDER BY 1, 2, 3;
-- Its index on clients goes with it; the view edge takes its place.
DROP TABLE edge;

-- The resolved rows: a client and route (edge_raw's key) per UTC day,
-- with the ends resolved to pods by pod.id (one per uid, never reused; 0:
-- no pod held the address) and the Service by service.id (0: none), so
-- that names, workloads and labels come from the inventory as it is when
-- read.  *_dup: another pod of the same workload was credited with these
-- connections too (a rolling restart on one address): a reader by
-- workload leaves the row out, a reader by pod keeps it.  *_holders is
-- the most tenures any of its raw rows met (above 1: ambiguous).
-- unstarted counts its raw rows attributed by their bucket (no start
-- times), each shared out among the rows it was credited to (1 /
-- (src_holders * dst_holders): the bucket rule credits every holder), so
-- that the rows of a window add up to the raw rows.
CREATE TABLE edge_day (
	day         INTEGER NOT NULL,
	client      INTEGER NOT NULL,
	route       INTEGER NOT NULL,
	src_pod_id  INTEGER NOT NULL,
	dst_pod_id  INTEGER NOT NULL,
	service_id  INTEGER NOT NULL,
	src_dup     INTEGER NOT NULL,
	dst_dup     INTEGER NOT NULL,
	src_holders INTEGER NOT NULL,
	dst_holders INTEGER NOT NULL,
	connections INTEGER NOT NULL,
	first_seen  INTEGER NOT NULL,
	last_seen   INTEGER NOT NULL,
	bytes       INTEGER,
	packets     INTEGER,
	unstarted   REAL    NOT NULL,
	PRIMARY KEY (day, client, route, src_pod_id, dst_pod_id, service_id,
		     src_dup, dst_dup)
) STRICT, WITHOUT ROWID;

-- What the day rows were resolved against, per day: a digest of the
-- tenures, pods, Services and node addresses that meet the day's
-- resolved part.  A later import that changes them changes the digest,
-- and the day is resolved again from its raw rows while they are kept.
CREATE TABLE edge_day_inventory (
	day    INTEGER PRIMARY KEY,
	digest INTEGER NOT NULL
) STRICT;

-- Changes to raw rows already resolved (the end of a long connection
-- adds its bytes and last_seen to the row of the minute it started in;
-- a table dump counts a connection that started hours ago), in the shape
-- of edge_raw, what they add: the next resolution adds them to the day
-- rows and empties the table.  A change that moves the span the row's
-- connections started in (another first or last start, a start no longer
-- known) may credit other pods: it is the row as it was, taken away
-- (sign -1), and the row as it is (sign 1).  unstarted: raw rows it
-- makes attributed by their bucket (-1, 0 or 1).  The triggers below
-- write it, so that every writer of edge_raw keeps it.
CREATE TABLE edge_late (
	id            INTEGER PRIMARY KEY,
	bucket        INTEGER NOT NULL,
	client        INTEGER NOT NULL,
	route         INTEGER NOT NULL,
	first_off     INTEGER NOT NULL,
	last_off      INTEGER NOT NULL,
	start_off     INTEGER,
	connections   INTEGER NOT NULL,
	orig_bytes    INTEGER,
	orig_packets  INTEGER,
	reply_bytes   INTEGER,
	reply_packets INTEGER,
	unstarted     INTEGER NOT NULL
) STRICT;

-- A raw row of a resolved bucket (before meta resolved_until), new.
CREATE TRIGGER edge_late_insert AFTER INSERT ON edge_raw
WHEN NEW.bucket < (SELECT CAST(value AS INTEGER) FROM meta
		   WHERE key = 'resolved_until')
BEGIN
	INSERT INTO edge_late VALUES (NULL, NEW.bucket, NEW.client, NEW.route,
		NEW.first_off, NEW.last_off, NEW.start_off, NEW.connections,
		NEW.orig_bytes, NEW.orig_packets, NEW.reply_bytes,
		NEW.reply_packets, NEW.start_off IS NULL);
END;

-- Changed, its span the same: what it added, credited as the row is.
CREATE TRIGGER edge_late_update AFTER UPDATE ON edge_raw
WHEN NEW.bucket < (SELECT CAST(value AS INTEGER) FROM meta
		   WHERE key = 'resolved_until')
     AND NEW.first_off = OLD.first_off AND NEW.start_off IS OLD.start_off
BEGIN
	INSERT INTO edge_late VALUES (NULL, NEW.bucket, NEW.client, NEW.route,
		NEW.first_off, NEW.last_off, NEW.start_off,
		NEW.connections - OLD.connections,
		NEW.orig_bytes - coalesce(OLD.orig_bytes, 0),
		NEW.orig_packets - coalesce(OLD.orig_packets, 0),
		NEW.reply_bytes - coalesce(OLD.reply_bytes, 0),
		NEW.reply_packets - coalesce(OLD.reply_packets, 0), 0);
END;

-- Changed, its span moved: the row as it was out, the row as it is in.
CREATE TRIGGER edge_late_respan AFTER UPDATE ON edge_raw
WHEN NEW.bucket < (SELECT CAST(value AS INTEGER) FROM meta
		   WHERE key = 'resolved_until')
     AND (NEW.first_off <> OLD.first_off OR NEW.start_off IS NOT OLD.start_off)
BEGIN
	INSERT INTO edge_late VALUES (NULL, OLD.bucket, OLD.client, OLD.route,
		OLD.first_off, OLD.last_off, OLD.start_off, -OLD.connections,
		-OLD.orig_bytes, -OLD.orig_packets, -OLD.reply_bytes,
		-OLD.reply_packets, -(OLD.start_off IS NULL)),
		(NULL, NEW.bucket, NEW.client, NEW.route, NEW.first_off,
		NEW.last_off, NEW.start_off, NEW.connections, NEW.orig_bytes,
		NEW.orig_packets, NEW.reply_bytes, NEW.reply_packets,
		NEW.start_off IS NULL);
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
-- before, when its last snapshot saw anything.  The next import or
-- podflowd's upkeep resolves what it covers.
INSERT INTO meta (key, value)
SELECT 'inventory_at', CAST(max(t) AS TEXT) FROM (
	SELECT max(last_seen) AS t FROM pod
	UNION ALL SELECT max(last_seen) FROM namespace
	UNION ALL SELECT max(last_seen) FROM node
	UNION ALL SELECT max(last_seen) FROM service)
WHERE t IS NOT NULL
HAVING max(t) IS NOT NULL;
