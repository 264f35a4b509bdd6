-- What resolving the buckets of [?1, ?2) reads of the inventory, in one
-- order: the pod tenures and Services that meet the span, clipped to it
-- (a change outside it changes nothing resolved), with the pods' workloads
-- (which pods of one workload share an address decides the *_dup marks),
-- and every node address.
-- store_resolve() hashes it; a different hash later means an import
-- changed what those rows were resolved against.
SELECT 'pod', pi.ip, pi.pod_id, max(pi.valid_from, ?1),
       min(coalesce(pi.valid_until, ?2), ?2),
       p.host_network || ' ' || p.namespace || ' ' || p.workload_kind ||
       ' ' || p.workload_name
FROM pod_ip AS pi JOIN pod AS p ON p.id = pi.pod_id
WHERE pi.valid_from < ?2 AND (pi.valid_until IS NULL OR pi.valid_until > ?1)
UNION ALL
SELECT 'service', ip, id, coalesce(created, 0),
       min(coalesce(gone_at, ?2), ?2), 0
FROM service_at
WHERE coalesce(created, 0) < ?2 AND (gone_at IS NULL OR gone_at > ?1)
UNION ALL
SELECT 'node', address, node, 0, 0, 0 FROM node_addresses
ORDER BY 1, 2, 3, 4, 5;
