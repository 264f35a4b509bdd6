-- Schema version 2: podflowd's health counters, in the database so that
-- an operator's sqlite3 shows them next to the flows.

CREATE TABLE collector_counter (
	name    TEXT PRIMARY KEY,
	value   INTEGER NOT NULL,
	updated INTEGER NOT NULL
) STRICT;

