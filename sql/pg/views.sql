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

-- Then the documented views of sql/views.sql: the same names, columns and
-- rows.  Each shows what the session's node holds (podflow_node(); SET
-- podflow.node = 'NAME').

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

-- The views PostgreSQL reads as SQLite does, as sql/views.sql writes them
-- (sql/embed.sh puts them here).
--@ views of sql/views.sql: collector_stats edge_rows flow_edge_buckets ip_holders node_addresses service_at flow_resolved_all flow_resolved flow_tail flow_days resolved_edges review_decisions

-- The rest sum counts, which saturate, or make JSON: in PostgreSQL's words.

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
