-- Schema version 6: review decisions on proposed policy rules.
--
-- A generated rule is a proposal: a person accepts or rejects each peer
-- of a workload (all its ports, or one).  Decisions outlive the flows
-- they were made on, so that regenerating never brings back a peer a
-- reviewer threw out (the attacker's address, if the learning window
-- held the attack itself).
CREATE TABLE review (
	namespace  TEXT NOT NULL,   -- the workload the rule is for
	kind       TEXT NOT NULL,
	name       TEXT NOT NULL,
	direction  TEXT NOT NULL CHECK (direction IN ('ingress', 'egress')),
	-- 'NS/Kind/name', 'ns:NAME' (a namespace), 'node', or a CIDR
	peer       TEXT NOT NULL,
	port       INTEGER NOT NULL DEFAULT 0,  -- 0: every port
	protocol   TEXT NOT NULL DEFAULT '',    -- '': every protocol
	decision   TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
	reason     TEXT,
	decided_by TEXT NOT NULL,
	decided_at INTEGER NOT NULL,
	PRIMARY KEY (namespace, kind, name, direction, peer, port, protocol)
) STRICT;

