-- Resolves the raw rows of the buckets [?1, ?2) and the late changes
-- waiting in edge_late (flow_resolved_all) into edge_day, added to the day
-- rows already kept.  unstarted as flow_tail counts it.  Counts saturate
-- at the largest integer, as they do where podflowd writes them (edge_
-- upsert.sql): SQLite's sum() fails past it and a STRICT table refuses
-- the REAL that + makes, and every later pass would fail.  total() is
-- exact while sums stay below 2^53.
INSERT INTO edge_day (day, client, route, src_pod_id, dst_pod_id,
		      service_id, src_dup, dst_dup, src_holders, dst_holders,
		      connections, first_seen, last_seen, bytes, packets,
		      unstarted)
SELECT bucket - bucket % 86400, client_id, route_id, coalesce(src_pod_id, 0),
       coalesce(dst_pod_id, 0), coalesce(service_id, 0), src_dup, dst_dup,
       max(src_holders), max(dst_holders),
       CAST(min(total(connections), 9.2233720368547758e18) AS INTEGER), min(first_seen), max(last_seen),
       CASE WHEN count(bytes) > 0 THEN CAST(min(total(bytes), 9.2233720368547758e18) AS INTEGER) END,
       CASE WHEN count(packets) > 0 THEN CAST(min(total(packets), 9.2233720368547758e18) AS INTEGER) END,
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
	connections = CASE WHEN connections > 9223372036854775807 - excluded.connections
			   THEN 9223372036854775807
			   ELSE connections + excluded.connections END,
	first_seen = min(first_seen, excluded.first_seen),
	last_seen = max(last_seen, excluded.last_seen),
	bytes = coalesce(CASE WHEN bytes > 9223372036854775807 - excluded.bytes
			      THEN 9223372036854775807 ELSE bytes + excluded.bytes END,
			 bytes, excluded.bytes),
	packets = coalesce(CASE WHEN packets > 9223372036854775807 - excluded.packets
				THEN 9223372036854775807 ELSE packets + excluded.packets END,
			   packets, excluded.packets),
	unstarted = unstarted + excluded.unstarted;
