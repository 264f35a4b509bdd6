-- ?1 name, ?2 labels (JSON), ?3 import time.
INSERT INTO namespace (name, labels, first_seen, last_seen)
VALUES (?1, ?2, ?3, ?3)
ON CONFLICT (name) DO UPDATE SET
	labels = excluded.labels,
	last_seen = max(namespace.last_seen, excluded.last_seen),
	gone_at = NULL;
