-- Retention, run hourly by podflowd.  ?1: raw rows last seen before it
-- go, once resolved (their bucket before meta resolved_until).  Without
-- an inventory nothing is ever resolved, and they are the only record of
-- the flows: they go at ?2, as resolved rows do.  A bucket never starts
-- after its last_seen, so the bucket bound is implied; it lets SQLite
-- walk the primary key instead of scanning the table.
WITH cut (t) AS (
	SELECT CASE WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'inventory_at')
		THEN min(?1, coalesce((SELECT CAST(value AS INTEGER) FROM meta
				       WHERE key = 'resolved_until'), 0))
		ELSE ?2 END)
DELETE FROM edge_raw
WHERE bucket < (SELECT t FROM cut) AND bucket + last_off < (SELECT t FROM cut);
-- ?2: the resolved days that ended before it (the bound on day itself,
-- so that SQLite walks the primary key).
DELETE FROM edge_day WHERE day <= ?2 - 86400;
DELETE FROM edge_day_inventory WHERE day <= ?2 - 86400;
-- A week one of whose days went is read from the days still kept.
DELETE FROM edge_week WHERE week <= ?2 - 86400;
DELETE FROM edge_week_done WHERE week <= ?2 - 86400;
-- The change log's first rows, up to the first flush whose edges were
-- seen at or after the raw rows' cut (the same as above), all but the
-- last (the sequence goes on from it): a prefix, so that a reader finds
-- the numbers it needs all there or knows they are not (at is a time the
-- clock gave, which may go back).
WITH cut (t) AS (
	SELECT CASE WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'inventory_at')
		THEN min(?1, coalesce((SELECT CAST(value AS INTEGER) FROM meta
				       WHERE key = 'resolved_until'), 0))
		ELSE ?2 END)
DELETE FROM change_log
WHERE seq < coalesce((SELECT min(seq) FROM change_log
		      WHERE at >= (SELECT t FROM cut)),
		     (SELECT max(seq) FROM change_log));
-- Raw rows before ?1 may be gone from here on: store_resolve() resolves
-- a day again only if its raw rows are whole.
INSERT INTO meta (key, value) VALUES ('raw_kept_from', CAST(?1 AS TEXT))
ON CONFLICT (key) DO UPDATE SET value = CAST(max(CAST(value AS INTEGER),
						CAST(excluded.value AS INTEGER))
					    AS TEXT);
