-- ?1 uid, ?2 namespace, ?3 name, ?4 type, ?5 selector (JSON or NULL),
-- ?6 import time, ?7 creationTimestamp (or NULL).
INSERT INTO service (uid, namespace, name, type, selector, created,
		     first_seen, last_seen)
VALUES (?1, ?2, ?3, ?4, ?5, ?7, ?6, ?6)
ON CONFLICT (namespace, name) DO UPDATE SET
	uid = excluded.uid,
	created = coalesce(excluded.created, service.created),
	type = excluded.type,
	selector = excluded.selector,
	last_seen = max(service.last_seen, excluded.last_seen),
	gone_at = NULL
RETURNING id;
