-- Pods a snapshot at ?1 ended.
SELECT count(*) FROM pod WHERE gone_at = ?1;
