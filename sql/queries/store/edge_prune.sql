-- Deletes edges last seen before ?1.  A bucket never starts after its
-- first_seen, so the bucket bound is implied; it lets SQLite walk the
-- primary key instead of scanning the table.
DELETE FROM edge WHERE bucket < ?1 AND last_seen < ?1;
