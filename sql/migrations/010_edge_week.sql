-- Schema version 10: the resolved days of a whole week, summed once.
--
-- generate, flows, workloads and review list add their window's rows up
-- per edge: over a week, a recurring edge is seven day rows where one
-- would do, and reading them cost about twice a day's read.  Once the
-- seven days of a week (Monday 00:00 UTC on) are resolved and kept,
-- their rows are summed into edge_week, and a reader that adds a window
-- up takes the weeks the window holds whole from there, the rest of its
-- days from edge_day (flows_window_summed.sql).  A reader by day (check,
-- several databases merged) reads the days.
--
-- A week, as a day is for the raw rows: the period most windows hold
-- whole (a retention of 7 days or more), and a week of rows costs about
-- what a day of them does.  Days 0 to 6 of a week are Monday to Sunday;
-- 1970-01-01 was a Thursday, so a week starts (t + 3 days) % 7 days
-- before t.

-- An edge's rows of a week's days added up (edge_day's key, its day
-- replaced by the week): day is the first day of the week it was seen
-- on, the holders the most of any of its days.
CREATE TABLE edge_week (
	week        INTEGER NOT NULL,
	client      INTEGER NOT NULL,
	route       INTEGER NOT NULL,
	src_pod_id  INTEGER NOT NULL,
	dst_pod_id  INTEGER NOT NULL,
	service_id  INTEGER NOT NULL,
	src_dup     INTEGER NOT NULL,
	dst_dup     INTEGER NOT NULL,
	day         INTEGER NOT NULL,
	src_holders INTEGER NOT NULL,
	dst_holders INTEGER NOT NULL,
	connections INTEGER NOT NULL,
	first_seen  INTEGER NOT NULL,
	last_seen   INTEGER NOT NULL,
	PRIMARY KEY (week, client, route, src_pod_id, dst_pod_id, service_id,
		     src_dup, dst_dup)
) STRICT, WITHOUT ROWID;

-- The weeks summed: each of their days resolved to its end and kept
-- (store/resolve.c sums a week as resolution passes its end, sums an
-- edge again when a late change adds to it, and forgets the week when
-- one of its days is resolved again or pruned).
CREATE TABLE edge_week_done (
	week INTEGER PRIMARY KEY
) STRICT;

-- The weeks this database has resolved already.
INSERT INTO edge_week_done (week)
SELECT day - (day + 259200) % 604800 AS week FROM edge_day_inventory
GROUP BY week
HAVING count(*) = 7
   AND week + 604800 <= coalesce((SELECT CAST(value AS INTEGER) FROM meta
				  WHERE key = 'resolved_until'), 0);
INSERT INTO edge_week
SELECT w.week, d.client, d.route, d.src_pod_id, d.dst_pod_id, d.service_id,
       d.src_dup, d.dst_dup, min(d.day), max(d.src_holders),
       max(d.dst_holders), sum(d.connections), min(d.first_seen),
       max(d.last_seen)
FROM edge_week_done AS w
JOIN edge_day AS d ON d.day >= w.week AND d.day < w.week + 604800
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
