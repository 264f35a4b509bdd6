-- End what a snapshot at ?1 no longer lists, in the namespaces it covers:
-- those listed as Namespace objects when there are any (?2 = 1), else
-- those of its pods.  Pods only if it listed pods (?3 = 1), Services only
-- if it listed Services (?4 = 1): `kubectl get namespaces` ends nothing.
-- Only what no newer snapshot has seen, and an earlier end wins: an old
-- snapshot imported late can only move an end back, never past a sighting.
UPDATE pod SET gone_at = ?1
WHERE ?3 = 1 AND (gone_at IS NULL OR gone_at > ?1)
  AND namespace IN (SELECT name FROM snap_namespace WHERE explicit >= ?2)
  AND last_seen < ?1
  AND uid NOT IN (SELECT uid FROM snap_pod);
UPDATE pod_ip SET valid_until = ?1
WHERE (valid_until IS NULL OR valid_until > ?1) AND valid_from < ?1
  AND pod_id IN (SELECT id FROM pod WHERE gone_at = ?1);
UPDATE service SET gone_at = ?1
WHERE ?4 = 1 AND (gone_at IS NULL OR gone_at > ?1)
  AND namespace IN (SELECT name FROM snap_namespace WHERE explicit >= ?2)
  AND last_seen < ?1
  AND (namespace, name) NOT IN (SELECT namespace, name FROM snap_service);
