-- The id of address ?1, added if new (addr rows are never deleted, so a
-- writer may keep the ids it has seen).
INSERT INTO addr (ip) VALUES (?1)
ON CONFLICT (ip) DO UPDATE SET ip = excluded.ip
RETURNING id;
