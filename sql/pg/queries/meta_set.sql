-- meta_set.sql in PostgreSQL: meta of the session's node (podflow_node():
-- '' is the cluster's own).
INSERT INTO node_meta (node, key, value) VALUES (podflow_node(), ?1, ?2)
ON CONFLICT (node, key) DO UPDATE SET value = excluded.value;
