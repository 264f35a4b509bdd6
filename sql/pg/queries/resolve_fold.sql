-- resolve_fold.sql in PostgreSQL: into the session's node's resolved days
-- (node_edge_day), the upsert aimed at its key with the node, sums
-- saturating as in SQLite.
INSERT INTO node_edge_day (node, day, client, route, src_pod_id, dst_pod_id,
			   service_id, src_dup, dst_dup, src_holders,
			   dst_holders, connections, first_seen, last_seen,
			   bytes, packets, unstarted)
SELECT podflow_node(), bucket - bucket % 86400, client_id, route_id,
       coalesce(src_pod_id, 0), coalesce(dst_pod_id, 0),
       coalesce(service_id, 0), src_dup, dst_dup,
       max(src_holders), max(dst_holders),
       podflow_saturate(sum(connections)), min(first_seen), max(last_seen),
       podflow_saturate(sum(bytes)), podflow_saturate(sum(packets)),
       sum(unstarted * 1.0 / (max(src_holders, 1) * max(dst_holders, 1)))
FROM (
	SELECT * FROM flow_resolved_all
	WHERE source = 'edge' AND bucket >= ?1 AND bucket < ?2
	UNION ALL
	SELECT * FROM flow_resolved_all WHERE source = 'late') AS r
GROUP BY 2, 3, 4, 5, 6, 7, 8, 9
ON CONFLICT (node, day, client, route, src_pod_id, dst_pod_id, service_id,
	     src_dup, dst_dup) DO UPDATE SET
	src_holders = max(node_edge_day.src_holders, excluded.src_holders),
	dst_holders = max(node_edge_day.dst_holders, excluded.dst_holders),
	connections = podflow_saturate(node_edge_day.connections::numeric
				       + excluded.connections),
	first_seen = min(node_edge_day.first_seen, excluded.first_seen),
	last_seen = max(node_edge_day.last_seen, excluded.last_seen),
	bytes = coalesce(podflow_saturate(node_edge_day.bytes::numeric
					  + excluded.bytes),
			 node_edge_day.bytes, excluded.bytes),
	packets = coalesce(podflow_saturate(node_edge_day.packets::numeric
					    + excluded.packets),
			   node_edge_day.packets, excluded.packets),
	unstarted = node_edge_day.unstarted + excluded.unstarted;
