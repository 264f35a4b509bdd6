DELETE FROM pod_port WHERE pod_id = ?1;
