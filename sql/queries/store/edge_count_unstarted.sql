-- The raw rows of the window [?1, ?2) (Unix seconds) without start times,
-- which flow_resolved_all attributes by their whole time bucket: as kept
-- in the resolved rows (found by the partial index edge_day_unstarted,
-- whose condition this repeats), and in the tail (flow_days: no names
-- needed).  On a schema before 7 every row is one
-- (compat_resolved_edges.sql).
SELECT CAST(round(coalesce(sum(unstarted), 0)) AS INTEGER) FROM flow_days
WHERE unstarted > 0 AND last_seen >= ?1 AND first_seen < ?2;
