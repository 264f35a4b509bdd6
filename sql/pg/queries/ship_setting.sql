-- A setting of node $1's database (meta key $2, value $3) that reading
-- its rows needs as the node does: its time bucket width, its pod CIDRs.
-- The node's own, in node_meta, over the cluster's.
INSERT INTO node_meta (node, key, value) VALUES ($1, $2, $3)
ON CONFLICT (node, key) DO UPDATE SET value = excluded.value;
