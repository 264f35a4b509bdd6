-- The rows from before the database numbered its flushes (012_change_seq.sql:
-- flush 0), as a count per bucket in the order of the buckets: a shipper
-- that sends a node's history the first time sends it in parts of a size
-- it chooses, a bucket's rows together.
SELECT bucket, count(*) FROM edge_raw WHERE changed = 0
GROUP BY bucket ORDER BY bucket;
