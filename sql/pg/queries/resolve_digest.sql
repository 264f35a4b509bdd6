-- resolve_digest.sql in PostgreSQL: the same rows, every column text.
SELECT 'pod', pi.ip, pi.pod_id::text, max(pi.valid_from, ?1)::text,
       min(coalesce(pi.valid_until, ?2), ?2)::text,
       p.host_network || ' ' || p.namespace || ' ' || p.workload_kind ||
       ' ' || p.workload_name
FROM pod_ip AS pi JOIN pod AS p ON p.id = pi.pod_id
WHERE pi.valid_from < ?2 AND (pi.valid_until IS NULL OR pi.valid_until > ?1)
UNION ALL
SELECT 'service', ip, id::text, coalesce(created, 0)::text,
       min(coalesce(gone_at, ?2), ?2)::text, '0'
FROM service_at
WHERE coalesce(created, 0) < ?2 AND (gone_at IS NULL OR gone_at > ?1)
UNION ALL
SELECT 'node', address, node, '0', '0', '0' FROM node_addresses
ORDER BY 1, 2, 3, 4, 5;
