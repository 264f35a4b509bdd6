-- resolve_day_put.sql in PostgreSQL: the session's node's day.
INSERT INTO node_edge_day_inventory (node, day, digest)
VALUES (podflow_node(), ?1, ?2)
ON CONFLICT (node, day) DO UPDATE SET digest = excluded.digest;
