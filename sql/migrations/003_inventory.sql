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

