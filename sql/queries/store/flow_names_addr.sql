-- The addresses flows_window.sql's rows name by id, each with the node
-- it is an address of (NULL: none), as resolved_edges shows them.
SELECT a.id, a.ip, n.node
FROM addr AS a LEFT JOIN node_addresses AS n ON n.address = a.ip
ORDER BY a.id;
