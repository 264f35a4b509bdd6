-- Pod ?1 listed at ?2 after an absence ended it no later than that (a
-- snapshot that did not cover it after all): it never went.  Its IPs
-- reopen; its own ends and any newer holder cap them again afterwards.
UPDATE pod_ip SET valid_until = NULL
WHERE pod_id = ?1
  AND valid_until = (SELECT gone_at FROM pod WHERE id = ?1 AND gone_at <= ?2);
UPDATE pod SET gone_at = NULL WHERE id = ?1 AND gone_at <= ?2;
