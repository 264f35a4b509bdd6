-- The views of the cluster store (PostgreSQL), made anew after its
-- migrations, as sql/views.sql is for a node's SQLite file.
--
-- First, each node's own tables as the node's database names them: the
-- rows of the node podflow_node() names (sql/pg/migrations/002_store.sql).
-- They read as a node's tables do, and what the store writes through
-- them lands in that node (its node column's default); an upsert, which
-- PostgreSQL cannot aim through a view, has a form of its own
-- (sql/pg/queries/).
CREATE VIEW meta AS
SELECT DISTINCT ON (key) key, value FROM node_meta
WHERE node IN ('', podflow_node())
ORDER BY key, node DESC;

CREATE VIEW edge_raw AS
SELECT bucket, client, route, first_off, last_off, start_off, connections,
       orig_bytes, orig_packets, reply_bytes, reply_packets, changed
FROM node_edge_raw WHERE node = podflow_node();

CREATE VIEW edge_late AS
SELECT id, bucket, client, route, first_off, last_off, start_off,
       connections, orig_bytes, orig_packets, reply_bytes, reply_packets,
       unstarted
FROM node_edge_late WHERE node = podflow_node();

CREATE VIEW edge_day AS
SELECT day, client, route, src_pod_id, dst_pod_id, service_id, src_dup,
       dst_dup, src_holders, dst_holders, connections, first_seen,
       last_seen, bytes, packets, unstarted
FROM node_edge_day WHERE node = podflow_node();

CREATE VIEW edge_day_inventory AS
SELECT day, digest FROM node_edge_day_inventory WHERE node = podflow_node();

CREATE VIEW edge_week AS
SELECT week, client, route, src_pod_id, dst_pod_id, service_id, src_dup,
       dst_dup, day, src_holders, dst_holders, connections, first_seen,
       last_seen
FROM node_edge_week WHERE node = podflow_node();

CREATE VIEW edge_week_done AS
SELECT week FROM node_edge_week_done WHERE node = podflow_node();

CREATE VIEW collector_counter AS
SELECT name, value, updated FROM node_collector_counter
WHERE node = podflow_node();

-- The documented views, as sql/views.sql defines them for SQLite: the
-- same names, columns and rows, in PostgreSQL's words.  Each shows what
-- the session's node holds (podflow_node(); SET podflow.node = 'NAME').

-- collector_stats: each counter with the time podflowd last wrote it.
CREATE VIEW collector_stats AS
SELECT name, value, strftime('%Y-%m-%dT%H:%M:%SZ', updated, 'unixepoch')
	AS updated
FROM collector_counter;

-- edge_rows: as in sql/views.sql.
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
	       reply_packets, (start_off IS NULL)::int AS unstarted
	FROM edge_raw
	UNION ALL
	SELECT 'tail', bucket, client, route, first_off, last_off, start_off,
	       connections, orig_bytes, orig_packets, reply_bytes,
	       reply_packets, (start_off IS NULL)::int
	FROM edge_raw
	WHERE bucket >= coalesce((SELECT CAST(value AS BIGINT) FROM meta
				  WHERE key = 'resolved_until'), 0)
	UNION ALL
	SELECT 'late', bucket, client, route, first_off, last_off, start_off,
	       connections, orig_bytes, orig_packets, reply_bytes,
	       reply_packets, unstarted
	FROM edge_late) AS e
LEFT JOIN route AS r ON r.id = e.route
LEFT JOIN addr AS c ON c.id = e.client
LEFT JOIN addr AS s ON s.id = r.server
LEFT JOIN addr AS v ON v.id = r.service
LEFT JOIN addr AS n ON n.id = r.client_nat;

-- edge: the raw rows as schema 7 kept them (read only here: the
-- shippers write the cluster store).
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

-- flow_edge_buckets: one row per edge per time bucket, as text.
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
	(e.protocol IN (6, 17, 132))::int AS expressible,
	strftime('%Y-%m-%dT%H:%M:%SZ', e.last_start, 'unixepoch') AS last_start
FROM edge AS e
LEFT JOIN protocol AS p ON p.number = e.protocol;

-- flow_edges: one row per edge over all time buckets.
CREATE VIEW flow_edges AS
SELECT
	e.client_ip,
	e.server_ip,
	e.server_port,
	coalesce(p.name, CAST(e.protocol AS TEXT)) AS protocol,
	NULLIF(e.service_ip, '') AS service_ip,
	CASE WHEN e.service_ip = '' THEN NULL ELSE e.service_port END AS service_port,
	NULLIF(e.client_nat_ip, '') AS client_nat_ip,
	podflow_saturate(sum(e.connections)) AS connections,
	strftime('%Y-%m-%dT%H:%M:%SZ', MIN(e.first_seen), 'unixepoch') AS first_seen,
	strftime('%Y-%m-%dT%H:%M:%SZ', MAX(e.last_seen), 'unixepoch') AS last_seen,
	podflow_saturate(sum(e.orig_bytes + e.reply_bytes)) AS bytes,
	podflow_saturate(sum(e.orig_packets + e.reply_packets)) AS packets,
	(e.protocol IN (6, 17, 132))::int AS expressible
FROM edge AS e
LEFT JOIN protocol AS p ON p.number = e.protocol
GROUP BY e.client_ip, e.server_ip, e.server_port, e.protocol, p.name,
	 e.service_ip, e.service_port, e.client_nat_ip;

-- ip_holders: every (non-hostNetwork) pod that held an IP, and when.
CREATE VIEW ip_holders AS
SELECT pi.ip, pi.valid_from, pi.valid_until, p.namespace, p.workload_kind,
       p.workload_name, p.name AS pod, p.uid, p.id AS pod_id
FROM pod_ip AS pi JOIN pod AS p ON p.id = pi.pod_id
WHERE p.host_network = 0;

-- node_addresses: one node per address.
CREATE VIEW node_addresses AS
SELECT address, min(node) AS node FROM node_address GROUP BY address;

-- service_at: each Service address with the Service's lifetime.
CREATE VIEW service_at AS
SELECT si.ip, s.namespace, s.name, s.created, s.gone_at, s.id
FROM service_ip AS si JOIN service AS s ON s.id = si.service_id;

-- flow_resolved_all: the one place the attribution rule lives, as in
-- sql/views.sql (read its comment there).
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
	(EXISTS (SELECT 1 FROM ip_holders AS o
		 WHERE o.ip = e.client_ip AND o.pod_id < src.pod_id
		   AND o.namespace = src.namespace
		   AND o.workload_kind = src.workload_kind
		   AND o.workload_name = src.workload_name
		   AND o.valid_from <= e.start_to
		   AND (o.valid_until IS NULL OR o.valid_until > e.start_from)
		   AND (e.last_start IS NULL OR o.valid_from <= e.start_from
			OR o.valid_until IS NULL
			OR o.valid_until > e.start_to)))::int
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
	(EXISTS (SELECT 1 FROM ip_holders AS o
		 WHERE o.ip = e.server_ip AND o.pod_id < dst.pod_id
		   AND o.namespace = dst.namespace
		   AND o.workload_kind = dst.workload_kind
		   AND o.workload_name = dst.workload_name
		   AND o.valid_from <= e.start_to
		   AND (o.valid_until IS NULL OR o.valid_until > e.start_from)
		   AND (e.last_start IS NULL OR o.valid_from <= e.start_from
			OR o.valid_until IS NULL
			OR o.valid_until > e.start_to)))::int
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
		SELECT max(coalesce(o.created, 0)) FROM service_at AS o
		WHERE o.ip = e.service_ip
		  AND coalesce(o.created, 0) <= e.start_to
		  AND (o.gone_at IS NULL OR o.gone_at > e.start_from));

-- flow_resolved: as in sql/views.sql.
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

-- flow_tail: as in sql/views.sql.
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

-- flow_days: as in sql/views.sql.
CREATE VIEW flow_days AS
SELECT day, client, route, src_pod_id, dst_pod_id, service_id, src_dup,
       dst_dup, src_holders, dst_holders, connections, first_seen,
       last_seen, bytes, packets, unstarted
FROM edge_day
UNION ALL
SELECT * FROM flow_tail;

-- resolved_edges: as in sql/views.sql.
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

-- workload_edges: as in sql/views.sql.
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
	podflow_saturate(sum(connections)) AS connections,
	strftime('%Y-%m-%dT%H:%M:%SZ', min(first_seen), 'unixepoch') AS first_seen,
	strftime('%Y-%m-%dT%H:%M:%SZ', max(last_seen), 'unixepoch') AS last_seen,
	max(CASE WHEN src_holders > 1 OR dst_holders > 1 THEN 1 ELSE 0 END)
		AS ambiguous
FROM resolved_edges
WHERE src_dup = 0 AND dst_dup = 0
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14;

-- workload_selectors: as in sql/views.sql.
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
		(SELECT '{"matchLabels":{' ||
			string_agg(to_json(c.key)::text || ':' ||
				   to_json(c.value)::text, ',' ORDER BY c.key COLLATE "C") ||
			'}}'
		 FROM common AS c
		 WHERE c.namespace = wl.namespace AND c.kind = wl.kind
		   AND c.name = wl.name AND c.n = wl.pods
		 HAVING count(*) > 0)) AS selector,
       CASE WHEN o.selector IS NOT NULL THEN 'owner'
	    ELSE 'pods' END AS source
FROM wl
LEFT JOIN owner AS o
	ON o.namespace = wl.namespace AND o.kind = wl.kind AND o.name = wl.name;

-- review_decisions: as in sql/views.sql.
CREATE VIEW review_decisions AS
SELECT namespace, kind, name, direction, peer,
       CASE WHEN port = 0 THEN NULL ELSE port || '/' || protocol END AS port,
       decision, reason, decided_by,
       strftime('%Y-%m-%dT%H:%M:%SZ', decided_at, 'unixepoch') AS decided_at
FROM review;
