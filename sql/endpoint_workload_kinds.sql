-- The kinds of workload named ?2 in namespace ?1.
SELECT DISTINCT workload_kind FROM pod
WHERE namespace = ?1 AND workload_name = ?2
ORDER BY workload_kind;
