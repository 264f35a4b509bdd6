-- The views: the database as people and the readers see it, for
-- `sqlite3` users as documented in the README.
--
-- Each view is defined here alone, as it is today.  Every run of the
-- migrations (store_open(), sql/schema.sh) drops the views first and
-- creates these after the last migration, in the same transaction: a
-- migration changes tables, never restates a view, and a view's change
-- is a change to this file (a database already at the latest version
-- gets it with the next migration).  Views come after what they read.

-- collector_stats: each counter with the time podflowd last wrote it.
CREATE VIEW collector_stats AS
SELECT
	name,
	value,
	strftime('%Y-%m-%dT%H:%M:%SZ', updated, 'unixepoch') AS updated
FROM collector_counter;

-- flow_edge_buckets: one row per edge per time bucket, as text.
-- last_start is the latest start of its connections (NULL: not recorded).
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
	e.protocol IN (6, 17, 132) AS expressible,
	strftime('%Y-%m-%dT%H:%M:%SZ', e.last_start, 'unixepoch') AS last_start
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

-- ip_holders: every (non-hostNetwork) pod that held an IP, and when.
CREATE VIEW ip_holders AS
SELECT pi.ip, pi.valid_from, pi.valid_until, p.namespace, p.workload_kind,
       p.workload_name, p.name AS pod, p.uid
FROM pod_ip AS pi JOIN pod AS p ON p.id = pi.pod_id
WHERE p.host_network = 0;

-- node_addresses: one node per address (a hostIP seen on two nodes is
-- attributed to the first by name).
CREATE VIEW node_addresses AS
SELECT address, min(node) AS node FROM node_address GROUP BY address;

-- service_at: each Service address with the Service's lifetime.
CREATE VIEW service_at AS
SELECT si.ip, s.namespace, s.name, s.created, s.gone_at
FROM service_ip AS si JOIN service AS s ON s.id = si.service_id;

-- flow_resolved: each edge of each time bucket with both ends resolved to
-- the pods (workloads) that held the addresses when its connections
-- started, or to a node; the Service by the ClusterIP it had then.
-- (hostNetwork pods have no pod_ip rows: their address is their node's.)
--
-- This is the one place the attribution rule lives; every reader
-- (flows, workloads, generate, check, review) reads through it.  Tenures
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
CREATE VIEW flow_resolved AS
SELECT
	e.bucket,
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
	e.first_seen,
	e.last_seen,
	src.namespace AS src_namespace,
	src.workload_kind AS src_kind,
	src.workload_name AS src_name,
	src.pod AS src_pod,
	(SELECT count(*) FROM pod_ip AS h
	 WHERE h.ip = e.client_ip AND h.valid_from <= e.start_to
	   AND (h.valid_until IS NULL OR h.valid_until > e.start_from))
		AS src_holders,
	srcnode.node AS src_node,
	dst.namespace AS dst_namespace,
	dst.workload_kind AS dst_kind,
	dst.workload_name AS dst_name,
	dst.pod AS dst_pod,
	(SELECT count(*) FROM pod_ip AS h
	 WHERE h.ip = e.server_ip AND h.valid_from <= e.start_to
	   AND (h.valid_until IS NULL OR h.valid_until > e.start_from))
		AS dst_holders,
	dstnode.node AS dst_node,
	svc.namespace AS service_namespace,
	svc.name AS service_name,
	src.uid AS src_uid,
	dst.uid AS dst_uid,
	e.last_start,
	e.start_from,
	e.start_to,
	CASE WHEN e.last_start IS NULL THEN 'bucket' ELSE 'start' END
		AS attribution
FROM (
	SELECT e.*,
	       CASE WHEN e.last_start IS NULL THEN e.bucket
		    ELSE e.first_seen END AS start_from,
	       coalesce(e.last_start, e.bucket - 1 + coalesce(
			(SELECT CAST(value AS INTEGER) FROM meta
			 WHERE key = 'time_bucket_seconds'), 60)) AS start_to
	FROM edge AS e) AS e
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

-- workload_edges read the edges through edge_by_client, which gives no
-- range but the order of the GROUP BY's first column: one random table
-- lookup per edge, and the DISTINCT b-tree filled in random order.  A
-- bucket range, true of every edge (buckets are Unix times), makes SQLite
-- walk the primary key instead.  Same columns, same rows.
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
	sum(connections) AS connections,
	strftime('%Y-%m-%dT%H:%M:%SZ', min(first_seen), 'unixepoch') AS first_seen,
	strftime('%Y-%m-%dT%H:%M:%SZ', max(last_seen), 'unixepoch') AS last_seen,
	max(src_holders > 1 OR dst_holders > 1) AS ambiguous
FROM (
	-- Two pods of one workload holding an address in one bucket (a
	-- rolling restart) are one identity: count the edge once.
	SELECT DISTINCT bucket, client_ip, server_ip, server_port, protocol,
		service_ip, service_port, client_nat_ip, connections,
		first_seen, last_seen, src_namespace, src_kind, src_name,
		src_node, src_holders, dst_namespace, dst_kind, dst_name,
		dst_node, dst_holders, service_namespace, service_name
	FROM flow_resolved
	WHERE bucket >= 0)
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
