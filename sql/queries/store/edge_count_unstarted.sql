-- The edge rows of the window [?1, ?2) (Unix seconds) without start
-- times, which flow_resolved attributes by their whole time bucket.
-- Schema 7 and later; sql/edge_count_window.sql before it.
SELECT count(*) FROM edge
WHERE last_start IS NULL AND bucket < ?2 AND last_seen >= ?1;
