-- The pods of a workload (?1 namespace, ?2 kind, ?3 name; kind compared
-- without case): the running ones first, then the most recently seen.
-- ip: the address it holds now, else the last it held; IPv4 first (most
-- --flow addresses are), so that ipBlocks match a workload end as they
-- match the same pod given by its address.
SELECT uid, (gone_at IS NULL AND deleted IS NULL AND finished IS NULL) AS live,
       (SELECT ip FROM pod_ip WHERE pod_id = pod.id
	ORDER BY valid_until IS NULL DESC, ip NOT LIKE '%:%' DESC,
		 valid_from DESC
	LIMIT 1) AS ip
FROM pod
WHERE namespace = ?1 AND lower(workload_kind) = lower(?2)
  AND workload_name = ?3
ORDER BY live DESC, last_seen DESC, name;
