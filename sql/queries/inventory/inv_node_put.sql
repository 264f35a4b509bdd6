-- ?1 name, ?2 labels (JSON), ?3 import time.
INSERT INTO node (name, labels, first_seen, last_seen) VALUES (?1, ?2, ?3, ?3)
ON CONFLICT (name) DO UPDATE SET
	labels = excluded.labels,
	last_seen = max(node.last_seen, excluded.last_seen);
