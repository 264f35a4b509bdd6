-- The pods of a workload (?1 namespace, ?2 kind, ?3 name; kind compared
-- without case): the running ones first, then the most recently seen.
SELECT uid, (gone_at IS NULL AND deleted IS NULL AND finished IS NULL) AS live
FROM pod
WHERE namespace = ?1 AND workload_kind = ?2 COLLATE NOCASE
  AND workload_name = ?3
ORDER BY live DESC, last_seen DESC, name;
