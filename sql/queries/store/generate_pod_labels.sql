-- The labels of the pods of namespace ?1 not ended before ?2, with their
-- workload: a target selector must match its own workload's pods only.
SELECT workload_kind, workload_name, labels FROM pod
WHERE namespace = ?1 AND (gone_at IS NULL OR gone_at >= ?2)
  AND (deleted IS NULL OR deleted >= ?2)
ORDER BY workload_kind, workload_name, name;
