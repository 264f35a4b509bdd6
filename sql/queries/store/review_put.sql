-- Records a decision, replacing an earlier one on the same rule peer.
-- ?1 namespace ?2 kind ?3 name ?4 direction ?5 peer ?6 port ?7 protocol
-- ?8 decision ?9 reason ?10 decided_by ?11 decided_at
INSERT INTO review (namespace, kind, name, direction, peer, port, protocol,
		    decision, reason, decided_by, decided_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
ON CONFLICT (namespace, kind, name, direction, peer, port, protocol)
DO UPDATE SET decision = excluded.decision, reason = excluded.reason,
	      decided_by = excluded.decided_by,
	      decided_at = excluded.decided_at;
