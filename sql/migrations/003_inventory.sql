-- Schema version 3: the cluster inventory, kept over time.
--
-- Flows are IP tuples; policies speak of namespaces and labels.  These
-- tables join the two, and keep history: a pod IP is reused within
-- minutes on a busy node, and a flow belongs to whoever held the IP when
-- it happened.  Labels and selectors are JSON objects (json_extract(),
-- json_each()).

CREATE TABLE namespace (
	name       TEXT PRIMARY KEY,
	labels     TEXT NOT NULL DEFAULT '{}',
	first_seen INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	gone_at    INTEGER
) STRICT;

CREATE TABLE node (
	name       TEXT PRIMARY KEY,
	labels     TEXT NOT NULL DEFAULT '{}',
	first_seen INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL
) STRICT;

-- A node's addresses (InternalIP, ExternalIP, and the hostIPs its pods
-- report), so that they resolve to "node NAME", never to a pod.
CREATE TABLE node_address (
	address TEXT NOT NULL,
	node    TEXT NOT NULL REFERENCES node (name) ON DELETE CASCADE,
	type    TEXT NOT NULL,
	PRIMARY KEY (address, node)
) STRICT;

-- Workload objects (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
-- CronJob): their selector and the next link of their owner chain.
CREATE TABLE owner (
	namespace  TEXT NOT NULL,
	kind       TEXT NOT NULL,
	name       TEXT NOT NULL,
	uid        TEXT,
	selector   TEXT,  -- JSON LabelSelector, NULL if none
	owner_kind TEXT,
	owner_name TEXT,
	last_seen  INTEGER NOT NULL,
	PRIMARY KEY (namespace, kind, name)
) STRICT;

-- One row per pod (by uid), never reused: a pod that goes stays here with
-- the time it went, so its flows keep their owner.
CREATE TABLE pod (
	id              INTEGER PRIMARY KEY,
	uid             TEXT NOT NULL UNIQUE,
	namespace       TEXT NOT NULL,
	name            TEXT NOT NULL,
	node            TEXT,
	host_network    INTEGER NOT NULL DEFAULT 0,
	labels          TEXT NOT NULL DEFAULT '{}',
	phase           TEXT,
	created         INTEGER,
	started         INTEGER,
	deleted         INTEGER,  -- metadata.deletionTimestamp
	finished        INTEGER,  -- Succeeded/Failed: last container's end
	gone_at         INTEGER,  -- first snapshot that no longer listed it
	controller_kind TEXT,     -- the controlling ownerReference
	controller_name TEXT,
	template_hash   TEXT,     -- label pod-template-hash
	workload_kind   TEXT NOT NULL,  -- Deployment, StatefulSet, ... or Pod
	workload_name   TEXT NOT NULL,
	first_seen      INTEGER NOT NULL,
	last_seen       INTEGER NOT NULL
) STRICT;
CREATE INDEX pod_by_workload ON pod (namespace, workload_kind, workload_name);
CREATE INDEX pod_by_name ON pod (namespace, name);
CREATE INDEX pod_by_controller ON pod (controller_kind, namespace, controller_name);

-- Who held which IP when: [valid_from, valid_until), valid_until NULL
-- while it still does.
CREATE TABLE pod_ip (
	pod_id      INTEGER NOT NULL REFERENCES pod (id) ON DELETE CASCADE,
	ip          TEXT NOT NULL,
	valid_from  INTEGER NOT NULL,
	valid_until INTEGER,
	PRIMARY KEY (pod_id, ip)
) STRICT;
CREATE INDEX pod_ip_by_ip ON pod_ip (ip, valid_from);

-- Container ports, for named ports in policies.
CREATE TABLE pod_port (
	pod_id    INTEGER NOT NULL REFERENCES pod (id) ON DELETE CASCADE,
	container TEXT NOT NULL,
	name      TEXT,
	port      INTEGER NOT NULL,
	protocol  TEXT NOT NULL,
	PRIMARY KEY (pod_id, container, port, protocol)
) STRICT;

CREATE TABLE service (
	id           INTEGER PRIMARY KEY,
	namespace    TEXT NOT NULL,
	name         TEXT NOT NULL,
	uid          TEXT,
	type         TEXT NOT NULL,
	selector     TEXT,  -- JSON object; NULL for a Service without selector
	created      INTEGER,  -- metadata.creationTimestamp
	first_seen   INTEGER NOT NULL,
	last_seen    INTEGER NOT NULL,
	gone_at      INTEGER,
	UNIQUE (namespace, name)
) STRICT;

CREATE TABLE service_ip (
	service_id INTEGER NOT NULL REFERENCES service (id) ON DELETE CASCADE,
	ip         TEXT NOT NULL,
	PRIMARY KEY (ip, service_id)
) STRICT;

CREATE TABLE service_port (
	service_id  INTEGER NOT NULL REFERENCES service (id) ON DELETE CASCADE,
	name        TEXT,
	port        INTEGER NOT NULL,
	target_port TEXT NOT NULL,  -- a number or a container port name
	protocol    TEXT NOT NULL,
	node_port   INTEGER,
	PRIMARY KEY (service_id, port, protocol)
) STRICT;

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
-- the pods (workloads) that held the addresses during that bucket, or to
-- a node; the Service by the ClusterIP it had then.  (hostNetwork pods
-- have no pod_ip rows: their address is their node's.)  An end whose address had two holders in the bucket (a reused
-- IP) gives one row per holder, with *_holders > 1: attributed to both,
-- never silently to one.  NULL identity: not a pod, not a node.
CREATE VIEW flow_resolved AS
WITH width AS (
	SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta
			 WHERE key = 'time_bucket_seconds'), 60) AS w)
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
	 WHERE h.ip = e.client_ip AND h.valid_from < e.bucket + width.w
	   AND (h.valid_until IS NULL OR h.valid_until > e.bucket)) AS src_holders,
	srcnode.node AS src_node,
	dst.namespace AS dst_namespace,
	dst.workload_kind AS dst_kind,
	dst.workload_name AS dst_name,
	dst.pod AS dst_pod,
	(SELECT count(*) FROM pod_ip AS h
	 WHERE h.ip = e.server_ip AND h.valid_from < e.bucket + width.w
	   AND (h.valid_until IS NULL OR h.valid_until > e.bucket)) AS dst_holders,
	dstnode.node AS dst_node,
	svc.namespace AS service_namespace,
	svc.name AS service_name
FROM edge AS e
CROSS JOIN width
LEFT JOIN ip_holders AS src
	ON src.ip = e.client_ip AND src.valid_from < e.bucket + width.w
	AND (src.valid_until IS NULL OR src.valid_until > e.bucket)
LEFT JOIN ip_holders AS dst
	ON dst.ip = e.server_ip AND dst.valid_from < e.bucket + width.w
	AND (dst.valid_until IS NULL OR dst.valid_until > e.bucket)
LEFT JOIN node_addresses AS srcnode ON srcnode.address = e.client_ip
LEFT JOIN node_addresses AS dstnode ON dstnode.address = e.server_ip
LEFT JOIN service_at AS svc ON svc.ip = e.service_ip
	AND coalesce(svc.created, 0) = (
		-- A ClusterIP belongs to one live Service at a time: if the
		-- inventory missed the older one's deletion, the newer wins.
		SELECT max(coalesce(o.created, 0)) FROM service_at AS o
		WHERE o.ip = e.service_ip
		  AND coalesce(o.created, 0) < e.bucket + width.w
		  AND (o.gone_at IS NULL OR o.gone_at > e.bucket));

-- workload_edges: who talks to whom, over all time: each end is a
-- workload (namespace, kind, name), a node, or an address no pod or node
-- held.  ambiguous is 1 when a reused IP made an end uncertain.
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
	FROM flow_resolved)
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
