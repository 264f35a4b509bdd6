-- ?1 uid, ?2 namespace, ?3 name, ?4 node, ?5 host_network, ?6 labels,
-- ?7 phase, ?8 created, ?9 started, ?10 deleted, ?11 finished,
-- ?12 controller_kind, ?13 controller_name, ?14 template_hash,
-- ?15 workload_kind, ?16 workload_name, ?17 import time.
INSERT INTO pod (uid, namespace, name, node, host_network, labels, phase,
		 created, started, deleted, finished, controller_kind,
		 controller_name, template_hash, workload_kind, workload_name,
		 first_seen, last_seen)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
	?16, ?17, ?17)
ON CONFLICT (uid) DO UPDATE SET
	node = coalesce(excluded.node, pod.node),
	host_network = excluded.host_network,
	labels = excluded.labels,
	phase = excluded.phase,
	started = coalesce(excluded.started, pod.started),
	deleted = coalesce(excluded.deleted, pod.deleted),
	finished = coalesce(excluded.finished, pod.finished),
	controller_kind = excluded.controller_kind,
	controller_name = excluded.controller_name,
	template_hash = excluded.template_hash,
	workload_kind = excluded.workload_kind,
	workload_name = excluded.workload_name,
	first_seen = min(pod.first_seen, excluded.first_seen),
	last_seen = max(pod.last_seen, excluded.last_seen)
RETURNING id, first_seen;
