-- The namespaces the inventory knows: listed as Namespace objects, or
-- holding a pod, now or before.
SELECT name FROM namespace
UNION
SELECT namespace FROM pod
ORDER BY 1;
