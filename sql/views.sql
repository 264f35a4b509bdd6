-- The views: the database as people and the readers see it, for
-- `sqlite3` users as documented in the README.
--
-- Each view is defined here alone, as it is today.  Every run of the
-- migrations (store_open(), sql/schema.sh) drops the views first and
-- creates these after the last migration, in the same transaction: a
-- migration changes tables, never restates a view, and a view's change
-- is a change to this file (a database already at the latest version
-- gets it with the next migration).  Views come after what they read.
--
-- The cluster store in PostgreSQL takes most of them as they are
-- (sql/pg/views.sql names which): those are written in the words both
-- dialects share (CAST(... AS BIGINT), CAST(EXISTS ... AS INTEGER)).

-- collector_stats: each counter with the time podflowd last wrote it.
CREATE VIEW collector_stats AS
SELECT
	name,
	value,
	strftime('%Y-%m-%dT%H:%M:%SZ', updated, 'unixepoch') AS updated
FROM collector_counter;

-- edge_rows: the raw rows with their addresses as text and their times
-- whole, by source: 'edge' every row of edge_raw; 'tail' those not
-- resolved yet (from meta resolved_until on), again; 'late' the changes
-- to resolved rows waiting in edge_late (their counts signed).  A reader
-- names the source it wants, and SQLite reads only that one's table.
-- unstarted: the rows it makes attributed by their bucket.
CREATE VIEW edge_rows AS
SELECT e.source, e.bucket, c.ip AS client_ip, s.ip AS server_ip,
       r.server_port, r.protocol, coalesce(v.ip, '') AS service_ip,
       r.service_port, coalesce(n.ip, '') AS client_nat_ip,
       e.bucket + e.first_off AS first_seen,
       e.bucket + e.last_off AS last_seen, e.connections, e.orig_bytes,
       e.orig_packets, e.reply_bytes, e.reply_packets,
       e.bucket + e.start_off AS last_start, e.unstarted,
       e.client AS client_id, e.route AS route_id
FROM (
	SELECT 'edge' AS source, bucket, client, route, first_off, last_off,
	       start_off, connections, orig_bytes, orig_packets, reply_bytes,
	       reply_packets, CAST(start_off IS NULL AS INTEGER) AS unstarted
	FROM edge_raw
	UNION ALL
	SELECT 'tail', bucket, client, route, first_off, last_off, start_off,
	       connections, orig_bytes, orig_packets, reply_bytes,
	       reply_packets, CAST(start_off IS NULL AS INTEGER)
	FROM edge_raw
	WHERE bucket >= coalesce((SELECT CAST(value AS BIGINT) FROM meta
				  WHERE key = 'resolved_until'), 0)
	UNION ALL
	SELECT 'late', bucket, client, route, first_off, last_off, start_off,
	       connections, orig_bytes, orig_packets, reply_bytes,
	       reply_packets, unstarted
	FROM edge_late) AS e
-- LEFT JOINs (every id is there) keep the rows the outer loop, read as
-- they come: inner ones let SQLite copy them all first, to look them up.
LEFT JOIN route AS r ON r.id = e.route
LEFT JOIN addr AS c ON c.id = e.client
LEFT JOIN addr AS s ON s.id = r.server
LEFT JOIN addr AS v ON v.id = r.service
LEFT JOIN addr AS n ON n.id = r.client_nat;

-- edge: the raw rows as schema 7 kept them, one per edge per time bucket
-- ('' and port 0 where no NAT changed a side), with the ids of their
-- client and route last.  It takes rows too, as text: an insert adds the
-- addresses and the route it names, an update changes the counts and
-- times of a row (not its key), a delete removes it; an insert or an
-- update is numbered in the change sequence, as a flush is.  (Not a view of
-- edge_rows: a question about one address would copy every row first.)
CREATE VIEW edge AS
SELECT e.bucket, c.ip AS client_ip, s.ip AS server_ip, r.server_port,
       r.protocol, coalesce(v.ip, '') AS service_ip, r.service_port,
       coalesce(n.ip, '') AS client_nat_ip,
       e.bucket + e.first_off AS first_seen,
       e.bucket + e.last_off AS last_seen, e.connections, e.orig_bytes,
       e.orig_packets, e.reply_bytes, e.reply_packets,
       e.bucket + e.start_off AS last_start, e.client AS client_id,
       e.route AS route_id
FROM edge_raw AS e
JOIN route AS r ON r.id = e.route
JOIN addr AS c ON c.id = e.client
JOIN addr AS s ON s.id = r.server
LEFT JOIN addr AS v ON v.id = r.service
LEFT JOIN addr AS n ON n.id = r.client_nat;

CREATE TRIGGER edge_insert INSTEAD OF INSERT ON edge
BEGIN
	INSERT OR IGNORE INTO addr (ip)
	SELECT value FROM json_each(json_array(NEW.client_ip, NEW.server_ip,
					       NEW.service_ip,
					       NEW.client_nat_ip))
	WHERE value IS NOT NULL AND value <> '';
	INSERT OR IGNORE INTO route (server, server_port, protocol, service,
				     service_port, client_nat)
	VALUES ((SELECT id FROM addr WHERE ip = NEW.server_ip),
		NEW.server_port, NEW.protocol,
		coalesce((SELECT id FROM addr WHERE ip = NEW.service_ip), 0),
		coalesce(NEW.service_port, 0),
		coalesce((SELECT id FROM addr WHERE ip = NEW.client_nat_ip), 0));
	-- A change as a flush's: numbered, for a shipper to see.
	INSERT INTO change_log (min_bucket, at)
	VALUES (NEW.bucket, NEW.last_seen);
	INSERT INTO edge_raw (bucket, client, route, first_off, last_off,
			      start_off, connections, orig_bytes, orig_packets,
			      reply_bytes, reply_packets, changed)
	SELECT NEW.bucket, (SELECT id FROM addr WHERE ip = NEW.client_ip),
	       r.id, NEW.first_seen - NEW.bucket, NEW.last_seen - NEW.bucket,
	       NEW.last_start - NEW.bucket, NEW.connections, NEW.orig_bytes,
	       NEW.orig_packets, NEW.reply_bytes, NEW.reply_packets,
	       (SELECT max(seq) FROM change_log)
	FROM route AS r
	WHERE r.server = (SELECT id FROM addr WHERE ip = NEW.server_ip)
	  AND r.server_port = NEW.server_port AND r.protocol = NEW.protocol
	  AND r.service = coalesce((SELECT id FROM addr
				    WHERE ip = NEW.service_ip), 0)
	  AND r.service_port = coalesce(NEW.service_port, 0)
	  AND r.client_nat = coalesce((SELECT id FROM addr
				       WHERE ip = NEW.client_nat_ip), 0);
END;

CREATE TRIGGER edge_update INSTEAD OF UPDATE ON edge
BEGIN
	INSERT INTO change_log (min_bucket, at)
	VALUES (OLD.bucket, NEW.last_seen);
	UPDATE edge_raw SET changed = (SELECT max(seq) FROM change_log),
			    first_off = NEW.first_seen - bucket,
			    last_off = NEW.last_seen - bucket,
			    start_off = NEW.last_start - bucket,
			    connections = NEW.connections,
			    orig_bytes = NEW.orig_bytes,
			    orig_packets = NEW.orig_packets,
			    reply_bytes = NEW.reply_bytes,
			    reply_packets = NEW.reply_packets
	WHERE bucket = OLD.bucket AND client = OLD.client_id
	  AND route = OLD.route_id;
END;

CREATE TRIGGER edge_delete INSTEAD OF DELETE ON edge
BEGIN
	DELETE FROM edge_raw WHERE bucket = OLD.bucket
	  AND client = OLD.client_id AND route = OLD.route_id;
END;

-- flow_edge_buckets: one row per edge per time bucket, as text.
-- last_start is the latest start of its connections (NULL: not recorded).
CREATE VIEW flow_edge_buckets AS
SELECT
	strftime('%Y-%m-%dT%H:%M:%SZ', e.bucket, 'unixepoch') AS bucket,
	e.client_ip,
	e.server_ip,
	e.server_port,
	coalesce(p.name, CAST(e.protocol AS TEXT)) AS protocol,
	NULLIF(e.service_ip, '') AS service_ip,
	CASE WHEN e.service_ip = '' THEN NULL ELSE e.service_port END AS service_port,
	NULLIF(e.client_nat_ip, '') AS client_nat_ip,
	e.connections,
	strftime('%Y-%m-%dT%H:%M:%SZ', e.first_seen, 'unixepoch') AS first_seen,
	strftime('%Y-%m-%dT%H:%M:%SZ', e.last_seen, 'unixepoch') AS last_seen,
	e.orig_bytes + e.reply_bytes AS bytes,
	e.orig_packets + e.reply_packets AS packets,
	CASE WHEN e.protocol IN (6, 17, 132) THEN 1 ELSE 0 END AS expressible,
	strftime('%Y-%m-%dT%H:%M:%SZ', e.last_start, 'unixepoch') AS last_start
FROM edge AS e
LEFT JOIN protocol AS p ON p.number = e.protocol;

-- flow_edges: one row per edge over all time buckets.  expressible is 0
-- for protocols a NetworkPolicy cannot name (ICMP).
CREATE VIEW flow_edges AS
SELECT
	e.client_ip,
	e.server_ip,
	e.server_port,
	coalesce(p.name, CAST(e.protocol AS TEXT)) AS protocol,
	NULLIF(e.service_ip, '') AS service_ip,
	CASE WHEN e.service_ip = '' THEN NULL ELSE e.service_port END AS service_port,
	NULLIF(e.client_nat_ip, '') AS client_nat_ip,
	CAST(min(total(e.connections), 9.2233720368547758e18) AS INTEGER) AS connections,
	strftime('%Y-%m-%dT%H:%M:%SZ', MIN(e.first_seen), 'unixepoch') AS first_seen,
	strftime('%Y-%m-%dT%H:%M:%SZ', MAX(e.last_seen), 'unixepoch') AS last_seen,
	CASE WHEN count(e.orig_bytes + e.reply_bytes) > 0
	     THEN CAST(min(total(e.orig_bytes + e.reply_bytes), 9.2233720368547758e18) AS INTEGER)
	END AS bytes,
	CASE WHEN count(e.orig_packets + e.reply_packets) > 0
	     THEN CAST(min(total(e.orig_packets + e.reply_packets), 9.2233720368547758e18) AS INTEGER)
	END AS packets,
	e.protocol IN (6, 17, 132) AS expressible
FROM edge AS e
LEFT JOIN protocol AS p ON p.number = e.protocol
GROUP BY e.client_ip, e.server_ip, e.server_port, e.protocol,
	 e.service_ip, e.service_port, e.client_nat_ip;

-- ip_holders: every (non-hostNetwork) pod that held an IP, and when.
CREATE VIEW ip_holders AS
SELECT pi.ip, pi.valid_from, pi.valid_until, p.namespace, p.workload_kind,
       p.workload_name, p.name AS pod, p.uid, p.id AS pod_id
FROM pod_ip AS pi JOIN pod AS p ON p.id = pi.pod_id
WHERE p.host_network = 0;

-- node_addresses: one node per address (a hostIP seen on two nodes is
-- attributed to the first by name).
CREATE VIEW node_addresses AS
SELECT address, min(node) AS node FROM node_address GROUP BY address;

-- service_at: each Service address with the Service's lifetime.
CREATE VIEW service_at AS
SELECT si.ip, s.namespace, s.name, s.created, s.gone_at, s.id
FROM service_ip AS si JOIN service AS s ON s.id = si.service_id;

-- flow_resolved_all: raw rows with both ends resolved to the pods
-- (workloads) that held the addresses when their connections started,
-- or to a node; the Service by the ClusterIP it had then.  (hostNetwork
-- pods have no pod_ip rows: their address is their node's.)  source as
-- edge_rows.
--
-- This is the one place the attribution rule lives: the writers resolve
-- through it into edge_day, the readers read the tail through it.  Tenures
-- are half-open, [valid_from, valid_until), in whole seconds.  A row's
-- connections started in [start_from, start_to]: first_seen to
-- last_start, or the whole bucket when a start is not known (attribution
-- 'bucket').  With start times, the row is credited to the pods that held
-- the address at its first and at its last start: those made such a
-- connection; a pod whose whole tenure lies between the two may not have,
-- and is not credited.  By bucket, to every pod that held the address in
-- it.  *_holders counts the tenures that meet the span: above 1, the
-- address changed hands while such connections started (rare: the span
-- is within one bucket), the row repeats per pod credited, and it is
-- ambiguous, never silently one pod's.  NULL identity: not a pod, not a
-- node.
CREATE VIEW flow_resolved_all AS
SELECT
	e.source,
	e.bucket,
	e.client_ip,
	e.server_ip,
	e.server_port,
	e.protocol,
	e.service_ip,
	e.service_port,
	e.client_nat_ip,
	e.connections,
	e.first_seen,
	e.last_seen,
	e.last_start,
	e.orig_bytes + e.reply_bytes AS bytes,
	e.orig_packets + e.reply_packets AS packets,
	e.unstarted,
	e.client_id,
	e.route_id,
	e.start_from,
	e.start_to,
	src.pod_id AS src_pod_id,
	src.uid AS src_uid,
	src.namespace AS src_namespace,
	src.workload_kind AS src_kind,
	src.workload_name AS src_name,
	src.pod AS src_pod,
	(SELECT count(*) FROM pod_ip AS h
	 WHERE h.ip = e.client_ip AND h.valid_from <= e.start_to
	   AND (h.valid_until IS NULL OR h.valid_until > e.start_from))
		AS src_holders,
	srcnode.node AS src_node,
	-- Another pod of its workload credited with the row too (a rolling
	-- restart on one address): for the workload, the row counts once.
	CAST(EXISTS (SELECT 1 FROM ip_holders AS o
		     WHERE o.ip = e.client_ip AND o.pod_id < src.pod_id
		       AND o.namespace = src.namespace
		       AND o.workload_kind = src.workload_kind
		       AND o.workload_name = src.workload_name
		       AND o.valid_from <= e.start_to
		       AND (o.valid_until IS NULL OR o.valid_until > e.start_from)
		       AND (e.last_start IS NULL OR o.valid_from <= e.start_from
			    OR o.valid_until IS NULL
			    OR o.valid_until > e.start_to)) AS INTEGER)
		AS src_dup,
	dst.pod_id AS dst_pod_id,
	dst.uid AS dst_uid,
	dst.namespace AS dst_namespace,
	dst.workload_kind AS dst_kind,
	dst.workload_name AS dst_name,
	dst.pod AS dst_pod,
	(SELECT count(*) FROM pod_ip AS h
	 WHERE h.ip = e.server_ip AND h.valid_from <= e.start_to
	   AND (h.valid_until IS NULL OR h.valid_until > e.start_from))
		AS dst_holders,
	dstnode.node AS dst_node,
	-- Another pod of its workload credited with the row too (a rolling
	-- restart on one address): for the workload, the row counts once.
	CAST(EXISTS (SELECT 1 FROM ip_holders AS o
		     WHERE o.ip = e.server_ip AND o.pod_id < dst.pod_id
		       AND o.namespace = dst.namespace
		       AND o.workload_kind = dst.workload_kind
		       AND o.workload_name = dst.workload_name
		       AND o.valid_from <= e.start_to
		       AND (o.valid_until IS NULL OR o.valid_until > e.start_from)
		       AND (e.last_start IS NULL OR o.valid_from <= e.start_from
			    OR o.valid_until IS NULL
			    OR o.valid_until > e.start_to)) AS INTEGER)
		AS dst_dup,
	svc.id AS service_id,
	svc.namespace AS service_namespace,
	svc.name AS service_name
FROM (
	SELECT e.*,
	       CASE WHEN e.last_start IS NULL THEN e.bucket
		    ELSE e.first_seen END AS start_from,
	       coalesce(e.last_start, e.bucket - 1 + coalesce(
			(SELECT CAST(value AS BIGINT) FROM meta
			 WHERE key = 'time_bucket_seconds'), 60)) AS start_to
	FROM edge_rows AS e) AS e
-- A tenure that meets the span holds its first or its last second unless
-- it lies wholly between them (valid_from after the first, valid_until
-- at or before the last).
LEFT JOIN ip_holders AS src
	ON src.ip = e.client_ip AND src.valid_from <= e.start_to
	AND (src.valid_until IS NULL OR src.valid_until > e.start_from)
	AND (e.last_start IS NULL OR src.valid_from <= e.start_from
	     OR src.valid_until IS NULL OR src.valid_until > e.start_to)
LEFT JOIN ip_holders AS dst
	ON dst.ip = e.server_ip AND dst.valid_from <= e.start_to
	AND (dst.valid_until IS NULL OR dst.valid_until > e.start_from)
	AND (e.last_start IS NULL OR dst.valid_from <= e.start_from
	     OR dst.valid_until IS NULL OR dst.valid_until > e.start_to)
LEFT JOIN node_addresses AS srcnode ON srcnode.address = e.client_ip
LEFT JOIN node_addresses AS dstnode ON dstnode.address = e.server_ip
LEFT JOIN service_at AS svc ON svc.ip = e.service_ip
	AND coalesce(svc.created, 0) = (
		-- A ClusterIP belongs to one live Service at a time: if the
		-- inventory missed the older one's deletion, or the address
		-- moved to another Service while such connections started, the
		-- newer wins.
		SELECT max(coalesce(o.created, 0)) FROM service_at AS o
		WHERE o.ip = e.service_ip
		  AND coalesce(o.created, 0) <= e.start_to
		  AND (o.gone_at IS NULL OR o.gone_at > e.start_from));

-- flow_resolved: each edge of each time bucket with both ends resolved to
-- the pods (workloads) that held the addresses when its connections
-- started, or to a node; the Service by the ClusterIP it had then (see
-- flow_resolved_all).  NULL identity: not a pod, not a node.
CREATE VIEW flow_resolved AS
SELECT
	r.bucket,
	r.client_ip,
	r.server_ip,
	r.server_port,
	coalesce(p.name, CAST(r.protocol AS TEXT)) AS protocol,
	NULLIF(r.service_ip, '') AS service_ip,
	CASE WHEN r.service_ip = '' THEN NULL ELSE r.service_port END AS service_port,
	NULLIF(r.client_nat_ip, '') AS client_nat_ip,
	r.connections,
	r.first_seen,
	r.last_seen,
	r.src_namespace,
	r.src_kind,
	r.src_name,
	r.src_pod,
	r.src_holders,
	r.src_node,
	r.dst_namespace,
	r.dst_kind,
	r.dst_name,
	r.dst_pod,
	r.dst_holders,
	r.dst_node,
	r.service_namespace,
	r.service_name,
	r.src_uid,
	r.dst_uid,
	r.last_start,
	r.start_from,
	r.start_to,
	CASE WHEN r.last_start IS NULL THEN 'bucket' ELSE 'start' END
		AS attribution
FROM flow_resolved_all AS r
LEFT JOIN protocol AS p ON p.number = r.protocol
WHERE r.source = 'edge';

-- flow_tail: the raw rows not resolved yet, row by row, as flow_days
-- takes them: the buckets from meta resolved_until on, and the late
-- changes in edge_late.
CREATE VIEW flow_tail AS
SELECT bucket - bucket % 86400 AS day, client_id AS client,
       route_id AS route, coalesce(src_pod_id, 0) AS src_pod_id,
       coalesce(dst_pod_id, 0) AS dst_pod_id,
       coalesce(service_id, 0) AS service_id, src_dup, dst_dup,
       src_holders, dst_holders, connections, first_seen, last_seen, bytes,
       packets,
       unstarted * 1.0 / (max(src_holders, 1) * max(dst_holders, 1))
	       AS unstarted
FROM flow_resolved_all
WHERE source <> 'edge';

-- flow_days: the resolved edges by UTC day, as the readers take them: the
-- rows kept in edge_day, and the tail not resolved yet, row by raw row
-- (the buckets from meta resolved_until on, and the late changes in
-- edge_late).  The tail is resolved as it is read, never written: a
-- read-only copy reads the same.  The client and route by id (addr,
-- route), the pods by pod.id and the Service by service.id (0: none).
CREATE VIEW flow_days AS
SELECT day, client, route, src_pod_id, dst_pod_id, service_id, src_dup,
       dst_dup, src_holders, dst_holders, connections, first_seen,
       last_seen, bytes, packets, unstarted
FROM edge_day
UNION ALL
SELECT * FROM flow_tail;

-- resolved_edges: flow_days with names, as flow_resolved shows them: the
-- pods' workloads and the Services as the inventory has them now.  day
-- is the UTC day (Unix seconds); a row counts the connections of its
-- edge, pods and Service that day (one resolved row, or one raw row of
-- the tail).
CREATE VIEW resolved_edges AS
SELECT
	f.day,
	c.ip AS client_ip,
	s.ip AS server_ip,
	r.server_port,
	coalesce(pr.name, CAST(r.protocol AS TEXT)) AS protocol,
	v.ip AS service_ip,
	CASE WHEN r.service = 0 THEN NULL ELSE r.service_port END AS service_port,
	n.ip AS client_nat_ip,
	f.connections,
	f.first_seen,
	f.last_seen,
	f.bytes,
	f.packets,
	src.namespace AS src_namespace,
	src.workload_kind AS src_kind,
	src.workload_name AS src_name,
	src.name AS src_pod,
	src.uid AS src_uid,
	f.src_dup,
	f.src_holders,
	srcnode.node AS src_node,
	dst.namespace AS dst_namespace,
	dst.workload_kind AS dst_kind,
	dst.workload_name AS dst_name,
	dst.name AS dst_pod,
	dst.uid AS dst_uid,
	f.dst_dup,
	f.dst_holders,
	dstnode.node AS dst_node,
	svc.namespace AS service_namespace,
	svc.name AS service_name,
	f.unstarted
FROM flow_days AS f
-- LEFT JOINs, as in edge_rows: the rows are read as they come.
LEFT JOIN route AS r ON r.id = f.route
LEFT JOIN addr AS c ON c.id = f.client
LEFT JOIN addr AS s ON s.id = r.server
LEFT JOIN addr AS v ON v.id = r.service
LEFT JOIN addr AS n ON n.id = r.client_nat
LEFT JOIN protocol AS pr ON pr.number = r.protocol
LEFT JOIN pod AS src ON src.id = f.src_pod_id
LEFT JOIN pod AS dst ON dst.id = f.dst_pod_id
LEFT JOIN node_addresses AS srcnode ON srcnode.address = c.ip
LEFT JOIN node_addresses AS dstnode ON dstnode.address = s.ip
LEFT JOIN service AS svc ON svc.id = f.service_id;

-- workload_edges: who talks to whom, by workload (a node, else the
-- address, where no pod is), over all recorded time; ambiguous: some of
-- its connections started while an address changed hands.  It reads the
-- resolved edges (resolved_edges).
CREATE VIEW workload_edges AS
SELECT
	src_namespace,
	src_kind,
	src_name,
	CASE WHEN src_name IS NULL AND src_node IS NULL THEN client_ip END AS src_ip,
	CASE WHEN src_name IS NULL THEN src_node END AS src_node,
	dst_namespace,
	dst_kind,
	dst_name,
	CASE WHEN dst_name IS NULL AND dst_node IS NULL THEN server_ip END AS dst_ip,
	CASE WHEN dst_name IS NULL THEN dst_node END AS dst_node,
	server_port AS port,
	protocol,
	service_namespace,
	service_name,
	CAST(min(total(connections), 9.2233720368547758e18) AS INTEGER) AS connections,
	strftime('%Y-%m-%dT%H:%M:%SZ', min(first_seen), 'unixepoch') AS first_seen,
	strftime('%Y-%m-%dT%H:%M:%SZ', max(last_seen), 'unixepoch') AS last_seen,
	max(src_holders > 1 OR dst_holders > 1) AS ambiguous
FROM resolved_edges
WHERE src_dup = 0 AND dst_dup = 0
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14;

-- workload_selectors: the labels that select each workload's pods: its
-- owner object's spec.selector when that was imported (source 'owner'),
-- else the labels all its pods share, less the ones controllers stamp on
-- each generation (source 'pods').  JSON LabelSelector; NULL when the
-- pods share no label (an empty selector would select every pod).
CREATE VIEW workload_selectors AS
WITH wl AS (
	SELECT namespace, workload_kind AS kind, workload_name AS name,
	       count(*) AS pods
	FROM pod GROUP BY 1, 2, 3),
common AS (
	SELECT p.namespace, p.workload_kind AS kind, p.workload_name AS name,
	       j.key, j.value, count(*) AS n
	FROM pod AS p, json_each(p.labels) AS j
	WHERE j.key NOT IN ('pod-template-hash', 'controller-revision-hash',
			    'pod-template-generation',
			    'statefulset.kubernetes.io/pod-name',
			    'apps.kubernetes.io/pod-index',
			    'controller-uid', 'job-name',
			    'batch.kubernetes.io/controller-uid',
			    'batch.kubernetes.io/job-name',
			    'batch.kubernetes.io/job-completion-index')
	GROUP BY 1, 2, 3, 4, 5)
SELECT wl.namespace, wl.kind, wl.name,
       coalesce(o.selector,
		(SELECT json_object('matchLabels', json_group_object(c.key, c.value))
		 FROM common AS c
		 WHERE c.namespace = wl.namespace AND c.kind = wl.kind
		   AND c.name = wl.name AND c.n = wl.pods
		 HAVING count(*) > 0)) AS selector,
       CASE WHEN o.selector IS NOT NULL THEN 'owner'
	    ELSE 'pods' END AS source
FROM wl
LEFT JOIN owner AS o
	ON o.namespace = wl.namespace AND o.kind = wl.kind AND o.name = wl.name;

-- review_decisions: the decisions for people: ports as PORT/PROTO (NULL
-- for every port), times in RFC 3339.
CREATE VIEW review_decisions AS
SELECT namespace, kind, name, direction, peer,
       CASE WHEN port = 0 THEN NULL ELSE port || '/' || protocol END AS port,
       decision, reason, decided_by,
       strftime('%Y-%m-%dT%H:%M:%SZ', decided_at, 'unixepoch') AS decided_at
FROM review;
