-- IP reuse, for pod ?1 holding ?2.  An older holder's interval ends where
-- the newer one's starts, and ?1's own ends where a newer holder's starts.
-- Neither ever widens an interval.
UPDATE pod_ip SET valid_until = (
	SELECT mine.valid_from FROM pod_ip AS mine
	WHERE mine.pod_id = ?1 AND mine.ip = ?2)
WHERE ip = ?2 AND pod_id != ?1
  AND valid_from < (SELECT valid_from FROM pod_ip WHERE pod_id = ?1 AND ip = ?2)
  AND (valid_until IS NULL OR valid_until >
	(SELECT valid_from FROM pod_ip WHERE pod_id = ?1 AND ip = ?2));
UPDATE pod_ip SET valid_until = (
	SELECT min(newer.valid_from) FROM pod_ip AS newer
	WHERE newer.ip = ?2 AND newer.pod_id != ?1
	  AND newer.valid_from > pod_ip.valid_from)
WHERE pod_id = ?1 AND ip = ?2 AND EXISTS (
	SELECT 1 FROM pod_ip AS newer
	WHERE newer.ip = ?2 AND newer.pod_id != ?1
	  AND newer.valid_from > pod_ip.valid_from
	  AND (pod_ip.valid_until IS NULL
	       OR newer.valid_from < pod_ip.valid_until));
