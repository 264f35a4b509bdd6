-- What a snapshot import listed, to end what it no longer lists.
CREATE TEMP TABLE IF NOT EXISTS snap_pod (uid TEXT PRIMARY KEY);
CREATE TEMP TABLE IF NOT EXISTS snap_service (
	namespace TEXT NOT NULL, name TEXT NOT NULL,
	PRIMARY KEY (namespace, name));
-- explicit: 1 for a Namespace object, 0 for a pod's namespace.
CREATE TEMP TABLE IF NOT EXISTS snap_namespace (
	name TEXT PRIMARY KEY, explicit INTEGER NOT NULL);
DELETE FROM snap_pod;
DELETE FROM snap_service;
DELETE FROM snap_namespace;
