-- ?1 pod id, ?2 ip, ?3 when the pod got it, ?4 when it ended by the pod's
-- own account (deleted, finished) or NULL.  Intervals only ever narrow.
INSERT INTO pod_ip (pod_id, ip, valid_from, valid_until)
VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (pod_id, ip) DO UPDATE SET
	valid_from = min(pod_ip.valid_from, excluded.valid_from),
	valid_until = CASE
		WHEN excluded.valid_until IS NULL THEN pod_ip.valid_until
		WHEN pod_ip.valid_until IS NULL THEN excluded.valid_until
		ELSE min(pod_ip.valid_until, excluded.valid_until) END;
