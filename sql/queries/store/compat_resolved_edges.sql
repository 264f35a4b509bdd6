-- A read-only handle on a database of a schema before 8, which has no
-- resolved edges and cannot be migrated by a reader: resolved_edges as a
-- temporary view of its own flow_resolved, every row a tail row, so that
-- the readers' queries run unchanged (and flow_days, as far as they read
-- it).  What a version lacks is filled in
-- before this runs (store_open()): $UIDS, the pods' uids (schema 5 on)
-- or NULL, and $UNSTARTED, as flow_tail counts it: whether a row was
-- attributed by its bucket (schema 7 on; before it, every row was),
-- shared out among the pods credited.
CREATE TEMP VIEW resolved_edges AS
SELECT bucket - bucket % 86400 AS day, client_ip, server_ip, server_port,
       protocol, service_ip, service_port, client_nat_ip, connections,
       first_seen, last_seen, NULL AS bytes, NULL AS packets,
       src_namespace, src_kind, src_name, src_pod, $UIDS, 0 AS src_dup,
       0 AS dst_dup, src_holders,
       src_node, dst_namespace, dst_kind, dst_name, dst_pod, dst_holders,
       dst_node, service_namespace, service_name, $UNSTARTED AS unstarted
FROM main.flow_resolved;
-- The note on rows without start times reads these columns alone.
CREATE TEMP VIEW flow_days AS
SELECT day, first_seen, last_seen, unstarted FROM temp.resolved_edges;
-- workload_traffic from the names (sql/views.sql adds it up by pod id).
CREATE TEMP VIEW workload_traffic AS
WITH r AS MATERIALIZED (
	SELECT * FROM temp.resolved_edges WHERE src_dup = 0 AND dst_dup = 0),
ends AS (
	SELECT src_namespace AS namespace, src_kind AS kind, src_name AS name,
	       connections AS conns_out, 0 AS conns_in, last_seen
	FROM r WHERE src_name IS NOT NULL
	UNION ALL
	SELECT dst_namespace, dst_kind, dst_name, 0, connections, last_seen
	FROM r WHERE dst_name IS NOT NULL)
SELECT namespace, kind, name, sum(conns_out) AS conns_out,
       sum(conns_in) AS conns_in, max(last_seen) AS last_seen
FROM ends GROUP BY 1, 2, 3;
