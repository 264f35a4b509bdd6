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

