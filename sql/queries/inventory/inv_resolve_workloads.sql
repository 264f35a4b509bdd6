-- Pods' workloads through the owner objects known, whichever import
-- brought them (a List names pods before their ReplicaSets).
UPDATE pod SET workload_kind = o.owner_kind, workload_name = o.owner_name
FROM owner AS o
WHERE pod.controller_kind = 'ReplicaSet' AND o.namespace = pod.namespace
  AND o.kind = 'ReplicaSet' AND o.name = pod.controller_name
  AND o.owner_kind = 'Deployment'
  AND (pod.workload_kind != o.owner_kind OR pod.workload_name != o.owner_name);
UPDATE pod SET workload_kind = o.owner_kind, workload_name = o.owner_name
FROM owner AS o
WHERE pod.controller_kind = 'Job' AND o.namespace = pod.namespace
  AND o.kind = 'Job' AND o.name = pod.controller_name
  AND o.owner_kind = 'CronJob'
  AND (pod.workload_kind != o.owner_kind OR pod.workload_name != o.owner_name);
-- A CronJob names its Jobs NAME-<scheduled minute>; recognised only when
-- that CronJob is known.
UPDATE pod SET workload_kind = 'CronJob', workload_name = c.name
FROM owner AS c
WHERE pod.controller_kind = 'Job' AND pod.workload_kind = 'Job'
  AND c.namespace = pod.namespace AND c.kind = 'CronJob'
  AND length(pod.controller_name) >= length(c.name) + 9
  AND substr(pod.controller_name, 1, length(c.name) + 1) = c.name || '-'
  AND trim(substr(pod.controller_name, length(c.name) + 2), '0123456789') = '';
