-- The edge rows of the window [?1, ?2) (Unix seconds) without start
-- times, which flow_resolved attributes by their whole time bucket.
-- Schema 7 and later; edge_count_window.sql before it.  It walks the
-- primary key by bucket, as the readers' own queries do: an index of the
-- rows without start times would hold every row of an upgraded database
-- until its retention passed, at half the size of the table.
SELECT count(*) FROM edge
WHERE bucket < ?2 AND last_seen >= ?1 AND last_start IS NULL;
