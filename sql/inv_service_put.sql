-- ?1 uid, ?2 namespace, ?3 name, ?4 type, ?5 selector (JSON or NULL),
-- ?6 import time.
INSERT INTO service (uid, namespace, name, type, selector, first_seen,
		     last_seen)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
ON CONFLICT (namespace, name) DO UPDATE SET
	uid = excluded.uid,
	type = excluded.type,
	selector = excluded.selector,
	last_seen = max(last_seen, excluded.last_seen),
	gone_at = NULL
RETURNING id;
