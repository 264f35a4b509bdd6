-- policygen info: what the database holds.
SELECT
	(SELECT count(*) FROM edge),
	(SELECT count(*) FROM flow_edges),
	(SELECT count(DISTINCT bucket) FROM edge),
	(SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(first_seen), 'unixepoch') FROM edge),
	(SELECT strftime('%Y-%m-%dT%H:%M:%SZ', max(last_seen), 'unixepoch') FROM edge);
