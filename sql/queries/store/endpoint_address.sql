-- Who an address is: the pod holding it now (else the last one that
-- did), and the node it belongs to.  ?1 the address.
SELECT
	(SELECT p.uid FROM pod_ip AS pi JOIN pod AS p ON p.id = pi.pod_id
	 WHERE pi.ip = ?1 AND p.host_network = 0
	 ORDER BY pi.valid_until IS NULL DESC, pi.valid_from DESC LIMIT 1),
	(SELECT node FROM node_addresses WHERE address = ?1);
