-- Lost-event episodes podflowd reported, if its counters were written
-- within the window (?1 since): the policy may then be incomplete.
SELECT coalesce((SELECT value FROM collector_counter
		 WHERE name = 'enobufs' AND updated >= ?1), 0);
