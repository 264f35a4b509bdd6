-- The kinds of workload called ?3 in namespace ?1: of kind ?2 (compared
-- without case) when it is not NULL.
SELECT DISTINCT workload_kind FROM pod
WHERE namespace = ?1 AND workload_name = ?3
  AND (CAST(?2 AS TEXT) IS NULL OR lower(workload_kind) = lower(?2))
ORDER BY workload_kind;
