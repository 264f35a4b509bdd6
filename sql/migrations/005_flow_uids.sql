-- Schema version 5: flow_resolved names the pods by uid.
--
-- A pod name is reused (a StatefulSet's pods keep theirs across
-- restarts), a uid never is: policygen check needs the very pod that held
-- an address, with its labels and container ports at the time.  The new
-- columns come last, so queries that name columns are unaffected.
DROP VIEW flow_resolved;

-- flow_resolved: each edge of each time bucket with both ends resolved to
-- the pods (workloads) that held the addresses during that bucket, or to
-- a node; the Service by the ClusterIP it had then.  (hostNetwork pods
-- have no pod_ip rows: their address is their node's.)  An end whose address had two holders in the bucket (a reused
-- IP) gives one row per holder, with *_holders > 1: attributed to both,
-- never silently to one.  NULL identity: not a pod, not a node.
CREATE VIEW flow_resolved AS
WITH width AS (
	SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta
			 WHERE key = 'time_bucket_seconds'), 60) AS w)
SELECT
	e.bucket,
	e.client_ip,
	e.server_ip,
	e.server_port,
	CASE e.protocol
		WHEN 6 THEN 'TCP' WHEN 17 THEN 'UDP' WHEN 132 THEN 'SCTP'
		WHEN 1 THEN 'ICMP' WHEN 58 THEN 'ICMP'
		ELSE CAST(e.protocol AS TEXT) END AS protocol,
	NULLIF(e.service_ip, '') AS service_ip,
	CASE WHEN e.service_ip = '' THEN NULL ELSE e.service_port END AS service_port,
	NULLIF(e.client_nat_ip, '') AS client_nat_ip,
	e.connections,
	e.first_seen,
	e.last_seen,
	src.namespace AS src_namespace,
	src.workload_kind AS src_kind,
	src.workload_name AS src_name,
	src.pod AS src_pod,
	(SELECT count(*) FROM pod_ip AS h
	 WHERE h.ip = e.client_ip AND h.valid_from < e.bucket + width.w
	   AND (h.valid_until IS NULL OR h.valid_until > e.bucket)) AS src_holders,
	srcnode.node AS src_node,
	dst.namespace AS dst_namespace,
	dst.workload_kind AS dst_kind,
	dst.workload_name AS dst_name,
	dst.pod AS dst_pod,
	(SELECT count(*) FROM pod_ip AS h
	 WHERE h.ip = e.server_ip AND h.valid_from < e.bucket + width.w
	   AND (h.valid_until IS NULL OR h.valid_until > e.bucket)) AS dst_holders,
	dstnode.node AS dst_node,
	svc.namespace AS service_namespace,
	svc.name AS service_name,
	src.uid AS src_uid,
	dst.uid AS dst_uid
FROM edge AS e
CROSS JOIN width
LEFT JOIN ip_holders AS src
	ON src.ip = e.client_ip AND src.valid_from < e.bucket + width.w
	AND (src.valid_until IS NULL OR src.valid_until > e.bucket)
LEFT JOIN ip_holders AS dst
	ON dst.ip = e.server_ip AND dst.valid_from < e.bucket + width.w
	AND (dst.valid_until IS NULL OR dst.valid_until > e.bucket)
LEFT JOIN node_addresses AS srcnode ON srcnode.address = e.client_ip
LEFT JOIN node_addresses AS dstnode ON dstnode.address = e.server_ip
LEFT JOIN service_at AS svc ON svc.ip = e.service_ip
	AND coalesce(svc.created, 0) = (
		-- A ClusterIP belongs to one live Service at a time: if the
		-- inventory missed the older one's deletion, the newer wins.
		SELECT max(coalesce(o.created, 0)) FROM service_at AS o
		WHERE o.ip = e.service_ip
		  AND coalesce(o.created, 0) < e.bucket + width.w
		  AND (o.gone_at IS NULL OR o.gone_at > e.bucket));
