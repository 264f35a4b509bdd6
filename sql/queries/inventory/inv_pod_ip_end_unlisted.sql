-- Pod ?1 listed at ?2 with the IPs in the JSON array ?3: an IP it held
-- and no longer lists (a sandbox recreated with a new address) ended then.
UPDATE pod_ip SET valid_until = ?2
WHERE pod_id = ?1 AND valid_from < ?2
  AND (valid_until IS NULL OR valid_until > ?2)
  AND ip NOT IN (SELECT value FROM json_each(?3));
