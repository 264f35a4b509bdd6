-- Schema version 7: flows attributed by their connections' start times.
--
-- A pod address is reused within seconds.  Crediting an edge to whoever
-- held the address at any moment of its time bucket credited both holders
-- of a bucket in which the address changed hands: each was allowed what
-- the other did.  A connection belongs to the pod that held the address
-- when the connection started, so an edge now keeps when its connections
-- started: first_seen, the earliest (events that only extend a connection
-- never lower it), and last_start, the latest.  last_seen is no start: a
-- DESTROY moves it, and an old pod's connection that the kernel reports
-- ended after the next pod came up must not credit the next pod.
--
-- last_start NULL: the start of some connection of the row is not known,
-- so the row keeps the bucket rule (attribution 'bucket').  Rows recorded
-- before this version; rows with a connection podflowd first saw in a
-- table dump or at its end when the kernel gave no start timestamp
-- (net.netfilter.nf_conntrack_timestamp=0); rows that only extend
-- connections counted in a row since pruned.
ALTER TABLE edge ADD COLUMN last_start INTEGER;

DROP VIEW flow_edge_buckets;
-- flow_edge_buckets: one row per edge per time bucket, as text.
-- last_start is the latest start of its connections (NULL: not recorded).
CREATE VIEW flow_edge_buckets AS
SELECT
	strftime('%Y-%m-%dT%H:%M:%SZ', e.bucket, 'unixepoch') AS bucket,
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
	strftime('%Y-%m-%dT%H:%M:%SZ', e.first_seen, 'unixepoch') AS first_seen,
	strftime('%Y-%m-%dT%H:%M:%SZ', e.last_seen, 'unixepoch') AS last_seen,
	e.orig_bytes + e.reply_bytes AS bytes,
	e.orig_packets + e.reply_packets AS packets,
	e.protocol IN (6, 17, 132) AS expressible,
	strftime('%Y-%m-%dT%H:%M:%SZ', e.last_start, 'unixepoch') AS last_start
FROM edge AS e;

DROP VIEW flow_resolved;

-- flow_resolved: each edge of each time bucket with both ends resolved to
-- the pods (workloads) that held the addresses when its connections
-- started, or to a node; the Service by the ClusterIP it had then.
-- (hostNetwork pods have no pod_ip rows: their address is their node's.)
--
-- This is the one place the attribution rule lives; every reader
-- (flows, workloads, generate, check, review) reads through it.  Tenures
-- are half-open, [valid_from, valid_until), in whole seconds.  A row's
-- connections started in [start_from, start_to]: first_seen to
-- last_start, or the whole bucket when a start is not known (attribution
-- 'bucket').  With start times, the row is credited to the pods that held
-- the address at its first and at its last start: those made such a
-- connection; a pod whose whole tenure lies between the two may not have,
-- and is not credited.  By bucket, to every pod that held the address in
-- it.  *_holders counts the tenures that meet the span: above 1, the
-- address changed hands while such connections started (rare: the span
-- is within one bucket), the row repeats per pod credited, and it is
-- ambiguous, never silently one pod's.  NULL identity: not a pod, not a
-- node.
CREATE VIEW flow_resolved AS
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
	 WHERE h.ip = e.client_ip AND h.valid_from <= e.start_to
	   AND (h.valid_until IS NULL OR h.valid_until > e.start_from))
		AS src_holders,
	srcnode.node AS src_node,
	dst.namespace AS dst_namespace,
	dst.workload_kind AS dst_kind,
	dst.workload_name AS dst_name,
	dst.pod AS dst_pod,
	(SELECT count(*) FROM pod_ip AS h
	 WHERE h.ip = e.server_ip AND h.valid_from <= e.start_to
	   AND (h.valid_until IS NULL OR h.valid_until > e.start_from))
		AS dst_holders,
	dstnode.node AS dst_node,
	svc.namespace AS service_namespace,
	svc.name AS service_name,
	src.uid AS src_uid,
	dst.uid AS dst_uid,
	e.last_start,
	e.start_from,
	e.start_to,
	CASE WHEN e.last_start IS NULL THEN 'bucket' ELSE 'start' END
		AS attribution
FROM (
	SELECT e.*,
	       CASE WHEN e.last_start IS NULL THEN e.bucket
		    ELSE e.first_seen END AS start_from,
	       coalesce(e.last_start, e.bucket - 1 + coalesce(
			(SELECT CAST(value AS INTEGER) FROM meta
			 WHERE key = 'time_bucket_seconds'), 60)) AS start_to
	FROM edge AS e) AS e
-- A tenure that meets the span holds its first or its last second unless
-- it lies wholly between them (valid_from after the first, valid_until
-- at or before the last).
LEFT JOIN ip_holders AS src
	ON src.ip = e.client_ip AND src.valid_from <= e.start_to
	AND (src.valid_until IS NULL OR src.valid_until > e.start_from)
	AND (e.last_start IS NULL OR src.valid_from <= e.start_from
	     OR src.valid_until IS NULL OR src.valid_until > e.start_to)
LEFT JOIN ip_holders AS dst
	ON dst.ip = e.server_ip AND dst.valid_from <= e.start_to
	AND (dst.valid_until IS NULL OR dst.valid_until > e.start_from)
	AND (e.last_start IS NULL OR dst.valid_from <= e.start_from
	     OR dst.valid_until IS NULL OR dst.valid_until > e.start_to)
LEFT JOIN node_addresses AS srcnode ON srcnode.address = e.client_ip
LEFT JOIN node_addresses AS dstnode ON dstnode.address = e.server_ip
LEFT JOIN service_at AS svc ON svc.ip = e.service_ip
	AND coalesce(svc.created, 0) = (
		-- A ClusterIP belongs to one live Service at a time: if the
		-- inventory missed the older one's deletion, or the address
		-- moved to another Service while such connections started, the
		-- newer wins.
		SELECT max(coalesce(o.created, 0)) FROM service_at AS o
		WHERE o.ip = e.service_ip
		  AND coalesce(o.created, 0) <= e.start_to
		  AND (o.gone_at IS NULL OR o.gone_at > e.start_from));
