-- Schema version 4: read performance on large databases.
--
-- flow_resolved counts the holders of both addresses of every edge, and
-- each count tests valid_until: with it in the index, the count reads the
-- index alone instead of one pod_ip row per holder.
DROP INDEX pod_ip_by_ip;
CREATE INDEX pod_ip_by_ip ON pod_ip (ip, valid_from, valid_until);

-- No statement looks edges up by server: every reader ranges over the
-- buckets (the primary key) or names a client (edge_by_client, which
-- "everything one address did" in the README needs).  The index only cost
-- podflowd one more b-tree to write per new edge, and space: 55 MiB of a
-- day of a 5,000-pod cluster's 186.
DROP INDEX edge_by_server;

