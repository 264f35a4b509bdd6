-- The raw rows of the window [?1, ?2) (Unix seconds) without start times,
-- which flow_resolved_all attributes by their whole time bucket: as kept
-- in the resolved rows, and in the tail (flow_days: no names needed).  On
-- a schema before 7 every row is one (compat_resolved_edges.sql).  The
-- partial index edge_day_unstarted finds the kept ones: its condition,
-- and the days before ?2 (a row's day is never after its first
-- sighting).
SELECT CAST(round(coalesce(sum(unstarted), 0)) AS BIGINT) FROM flow_days
WHERE unstarted <> 0 AND day < ?2
  AND last_seen >= ?1 AND first_seen < ?2;
