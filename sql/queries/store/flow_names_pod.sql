-- The pods flows_window.sql's rows credit, by pod.id: uid and workload.
SELECT id, uid, namespace, workload_kind, workload_name FROM pod ORDER BY id;
