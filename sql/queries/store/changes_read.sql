-- The shipper's read: the raw rows the flushes numbered above ?1 and up
-- to ?2 changed (012_change_seq.sql), in the buckets from ?3 to ?4, with
-- their addresses as text and their times whole, in the order of those
-- numbers, a flush's rows together (a row changed again later is read
-- with that later flush).  They are found by the primary key from the
-- lowest bucket those flushes wrote, when the log holds every one of
-- them; when retention has taken some (a reader behind by more than the
-- raw rows are kept), from the first bucket.  A row's counts are its
-- totals: sending them replaces.
SELECT e.changed, e.bucket, c.ip, s.ip, r.server_port, r.protocol,
       v.ip, r.service_port, n.ip, e.bucket + e.first_off,
       e.bucket + e.last_off, e.bucket + e.start_off, e.connections,
       e.orig_bytes, e.orig_packets, e.reply_bytes, e.reply_packets
FROM edge_raw AS e
JOIN route AS r ON r.id = e.route
JOIN addr AS c ON c.id = e.client
JOIN addr AS s ON s.id = r.server
LEFT JOIN addr AS v ON v.id = r.service
LEFT JOIN addr AS n ON n.id = r.client_nat
WHERE e.bucket >= max(?3, (SELECT CASE WHEN count(*) = ?2 - ?1
				     THEN min(min_bucket) ELSE 0 END
			FROM change_log WHERE seq > ?1 AND seq <= ?2))
  AND e.bucket <= ?4
  AND e.changed > ?1 AND e.changed <= ?2
ORDER BY e.changed, e.bucket, e.client, e.route;
