-- The kinds of workload called ?3 in namespace ?1: of kind ?2 (compared
-- without case) when it is not NULL.
SELECT DISTINCT workload_kind FROM pod
WHERE namespace = ?1 AND workload_name = ?3
  AND (?2 IS NULL OR workload_kind = ?2 COLLATE NOCASE)
ORDER BY workload_kind;
