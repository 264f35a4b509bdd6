-- Resolves the raw rows of the buckets [?1, ?2) and the late changes
-- waiting in edge_late (flow_resolved_all) into edge_day, added to the day
-- rows already kept.  unstarted as flow_tail counts it.
INSERT INTO edge_day (day, client, route, src_pod_id, dst_pod_id,
		      service_id, src_dup, dst_dup, src_holders, dst_holders,
		      connections, first_seen, last_seen, bytes, packets,
		      unstarted)
SELECT bucket - bucket % 86400, client_id, route_id, coalesce(src_pod_id, 0),
       coalesce(dst_pod_id, 0), coalesce(service_id, 0), src_dup, dst_dup,
       max(src_holders), max(dst_holders), sum(connections), min(first_seen),
       max(last_seen), sum(bytes), sum(packets),
       sum(unstarted * 1.0 / (max(src_holders, 1) * max(dst_holders, 1)))
FROM (
	SELECT * FROM flow_resolved_all
	WHERE source = 'edge' AND bucket >= ?1 AND bucket < ?2
	UNION ALL
	SELECT * FROM flow_resolved_all WHERE source = 'late')
WHERE true
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT DO UPDATE SET
	src_holders = max(src_holders, excluded.src_holders),
	dst_holders = max(dst_holders, excluded.dst_holders),
	connections = connections + excluded.connections,
	first_seen = min(first_seen, excluded.first_seen),
	last_seen = max(last_seen, excluded.last_seen),
	bytes = coalesce(bytes + excluded.bytes, bytes, excluded.bytes),
	packets = coalesce(packets + excluded.packets, packets,
			   excluded.packets),
	unstarted = unstarted + excluded.unstarted;
