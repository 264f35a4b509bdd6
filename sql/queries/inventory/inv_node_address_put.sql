-- ?1 address, ?2 node, ?3 type.  A pod's hostIP may name a node not yet
-- imported: the node row is made first, bare.
INSERT INTO node (name, first_seen, last_seen) VALUES (?2, ?4, ?4)
ON CONFLICT (name) DO NOTHING;
INSERT INTO node_address (address, node, type) VALUES (?1, ?2, ?3)
ON CONFLICT (address, node) DO UPDATE SET type = excluded.type
WHERE node_address.type = 'hostIP';
