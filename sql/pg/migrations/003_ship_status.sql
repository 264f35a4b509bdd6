-- Cluster store schema version 3: how each node's shipper fares, as it
-- last said (policygen ship --follow): the attempts that failed since it
-- started, and the flushes its node had that were not here yet.
ALTER TABLE ship_state ADD COLUMN failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ship_state ADD COLUMN lag BIGINT NOT NULL DEFAULT 0;
