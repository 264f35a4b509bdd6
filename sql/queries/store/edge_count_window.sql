-- The edge rows of the window [?1, ?2) (Unix seconds).
SELECT count(*) FROM edge WHERE bucket < ?2 AND last_seen >= ?1;
