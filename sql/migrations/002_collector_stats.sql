-- Schema version 2: podflowd's health counters, in the database so that
-- an operator's sqlite3 shows them next to the flows.

CREATE TABLE collector_counter (
	name    TEXT PRIMARY KEY,
	value   INTEGER NOT NULL,
	updated INTEGER NOT NULL
) STRICT;

-- collector_stats: each counter with the time podflowd last wrote it.
CREATE VIEW collector_stats AS
SELECT
	name,
	value,
	strftime('%Y-%m-%dT%H:%M:%SZ', updated, 'unixepoch') AS updated
FROM collector_counter;
