-- A Service a snapshot listed but did not take: it is not ended by
-- absence.  ?1 its namespace, ?2 its name.
INSERT INTO snap_service (namespace, name) VALUES (?1, ?2)
ON CONFLICT DO NOTHING;
