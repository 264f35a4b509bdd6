INSERT INTO snap_service (namespace, name) VALUES (?1, ?2)
ON CONFLICT DO NOTHING;
