-- Where resolution stands: meta resolved_until (NULL: never resolved),
-- the inventory's time (NULL: no inventory was imported), the first raw
-- bucket, the time before which raw rows may have been pruned (0: none
-- were), the bucket width, and whether late changes wait in edge_late.
SELECT (SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'resolved_until'),
       (SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'inventory_at'),
       (SELECT min(bucket) FROM edge_raw),
       coalesce((SELECT CAST(value AS BIGINT) FROM meta
		 WHERE key = 'raw_kept_from'), 0),
       coalesce((SELECT CAST(value AS BIGINT) FROM meta
		 WHERE key = 'time_bucket_seconds'), 60),
       EXISTS (SELECT 1 FROM edge_late);
