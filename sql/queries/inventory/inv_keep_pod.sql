-- A pod a snapshot listed but did not take (it fails validation): what the
-- store knows of it stays, so its absence from the listing ends nothing.
-- ?1 its uid, ?2 its namespace, ?3 its name, as the object gave them; a
-- pod is found by either, since the bad field may be one of them.
INSERT INTO snap_pod (uid)
SELECT uid FROM pod
WHERE uid = ?1 OR (namespace = ?2 AND name = ?3 AND gone_at IS NULL)
ON CONFLICT DO NOTHING;
