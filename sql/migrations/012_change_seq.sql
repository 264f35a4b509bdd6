-- Schema version 12: a change sequence on the raw rows, for shipping a
-- node's rows to the cluster store.
--
-- A flush adds to the rows of its buckets in place, so neither a row's
-- key nor its position says whether it changed since it was shipped.
-- Every flush that writes rows takes the next number of change_log, in
-- its own transaction, and stamps each row it writes with it (changed):
-- a reader that has shipped the rows up to a number ships those above it
-- next, and sees a flush's rows all or none.  A flush writes the rows of
-- recent buckets only, and its log row keeps the lowest it wrote: the
-- rows above a number are found by the primary key, from the lowest
-- bucket of the flushes after it, with no index of their own to keep up
-- at every flush.  Rows from before are 0, so a reader that starts from
-- nothing (-1) ships a node's whole history.
CREATE TABLE change_log (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	min_bucket INTEGER NOT NULL,
	at         INTEGER NOT NULL -- its edges' latest last_seen: retention's key
) STRICT;

ALTER TABLE edge_raw ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;

-- The database's own id, random: the numbers above are this database's,
-- and a cluster store that keeps a node's mark keeps the id it counts in,
-- to tell a node's database replaced (its numbers begun again) from the
-- one it shipped.
INSERT INTO meta (key, value) VALUES ('database_id', lower(hex(randomblob(16))))
ON CONFLICT (key) DO NOTHING;
