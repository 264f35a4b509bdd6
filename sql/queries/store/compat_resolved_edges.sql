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
