-- End what a snapshot no longer lists, in the namespaces it covers: those
-- listed as Namespace objects when there are any (?2 = 1), else those of
-- its pods.  ?1 is the snapshot's time.  Only what no newer snapshot has
-- seen: an old snapshot imported late must not end what came after it.
UPDATE pod SET gone_at = ?1
WHERE gone_at IS NULL
  AND namespace IN (SELECT name FROM temp.snap_namespace WHERE explicit >= ?2)
  AND last_seen < ?1
  AND uid NOT IN (SELECT uid FROM temp.snap_pod);
UPDATE pod_ip SET valid_until = ?1
WHERE valid_until IS NULL
  AND pod_id IN (SELECT id FROM pod WHERE gone_at = ?1);
UPDATE service SET gone_at = ?1
WHERE gone_at IS NULL
  AND namespace IN (SELECT name FROM temp.snap_namespace WHERE explicit >= ?2)
  AND last_seen < ?1
  AND (namespace, name) NOT IN (SELECT namespace, name FROM temp.snap_service);
UPDATE namespace SET gone_at = ?1
WHERE gone_at IS NULL AND ?2 = 1 AND last_seen < ?1
  AND name NOT IN (SELECT name FROM temp.snap_namespace WHERE explicit = 1);
