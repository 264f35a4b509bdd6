-- ?1 name, ?2 value, ?3 time written.
INSERT INTO collector_counter (name, value, updated) VALUES (?1, ?2, ?3)
ON CONFLICT (name) DO UPDATE SET
	value = excluded.value,
	updated = excluded.updated;
