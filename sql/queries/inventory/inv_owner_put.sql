-- ?1 namespace, ?2 kind, ?3 name, ?4 uid, ?5 selector, ?6 owner kind,
-- ?7 owner name, ?8 import time.
INSERT INTO owner (namespace, kind, name, uid, selector, owner_kind,
		   owner_name, last_seen)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
ON CONFLICT (namespace, kind, name) DO UPDATE SET
	uid = excluded.uid,
	selector = excluded.selector,
	owner_kind = excluded.owner_kind,
	owner_name = excluded.owner_name,
	last_seen = max(owner.last_seen, excluded.last_seen);
