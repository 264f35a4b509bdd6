-- policygen info: the inventory the database holds: the namespaces and
-- pods there now (pods running: not gone, deleted or finished), the
-- workloads and pods ever seen, Services and nodes, and when an import
-- last saw any object (Unix seconds; NULL before the first import).
SELECT
	(SELECT count(*) FROM (
		SELECT name FROM namespace WHERE gone_at IS NULL
		UNION
		SELECT namespace FROM pod
		WHERE gone_at IS NULL AND deleted IS NULL AND finished IS NULL) AS n),
	(SELECT count(*) FROM pod
	 WHERE gone_at IS NULL AND deleted IS NULL AND finished IS NULL),
	(SELECT count(*) FROM pod),
	(SELECT count(*) FROM (SELECT DISTINCT namespace, workload_kind,
					       workload_name FROM pod) AS w),
	(SELECT count(*) FROM service WHERE gone_at IS NULL),
	(SELECT count(*) FROM node),
	(SELECT max(seen) FROM (
		SELECT max(last_seen) AS seen FROM pod
		UNION ALL SELECT max(last_seen) FROM namespace
		UNION ALL SELECT max(last_seen) FROM service
		UNION ALL SELECT max(last_seen) FROM node) AS t);
