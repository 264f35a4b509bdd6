-- Schema version 9: the resolved rows without start times indexed, and
-- one trigger for a resolved raw row that changes.
--
-- Every reader notes how many rows of its window carry no connection
-- start times (edge_count_unstarted.sql).  They are rows recorded before
-- version 7 or found in a table dump, rare once podflowd keeps start
-- times, yet counting them read every resolved row of the window: a
-- tenth of generate's time on a week.  A partial index holds those rows
-- alone (and the negative ones a late change can leave, which take a row
-- back), so the count reads those rows and no others.
CREATE INDEX edge_day_unstarted ON edge_day (day) WHERE unstarted <> 0;

-- A raw row of a resolved bucket changed: one trigger, so that podflowd's
-- every update of a row looks meta resolved_until up once, not once for
-- each of schema 8's two triggers.  Its span the same, what it added,
-- credited as the row is; its span moved (another first or last start,
-- a start no longer known), the row as it was out and the row as it is
-- in (see edge_late in 008_resolved_edges.sql).
DROP TRIGGER edge_late_update;
DROP TRIGGER edge_late_respan;
CREATE TRIGGER edge_late_change AFTER UPDATE ON edge_raw
WHEN NEW.bucket < (SELECT CAST(value AS INTEGER) FROM meta
		   WHERE key = 'resolved_until')
BEGIN
	INSERT INTO edge_late
	SELECT NULL, NEW.bucket, NEW.client, NEW.route, NEW.first_off,
	       NEW.last_off, NEW.start_off, NEW.connections - OLD.connections,
	       NEW.orig_bytes - coalesce(OLD.orig_bytes, 0),
	       NEW.orig_packets - coalesce(OLD.orig_packets, 0),
	       NEW.reply_bytes - coalesce(OLD.reply_bytes, 0),
	       NEW.reply_packets - coalesce(OLD.reply_packets, 0), 0
	WHERE NEW.first_off = OLD.first_off AND NEW.start_off IS OLD.start_off;
	INSERT INTO edge_late
	SELECT NULL, OLD.bucket, OLD.client, OLD.route, OLD.first_off,
	       OLD.last_off, OLD.start_off, -OLD.connections, -OLD.orig_bytes,
	       -OLD.orig_packets, -OLD.reply_bytes, -OLD.reply_packets,
	       -(OLD.start_off IS NULL)
	WHERE NEW.first_off <> OLD.first_off
	   OR NEW.start_off IS NOT OLD.start_off
	UNION ALL
	SELECT NULL, NEW.bucket, NEW.client, NEW.route, NEW.first_off,
	       NEW.last_off, NEW.start_off, NEW.connections, NEW.orig_bytes,
	       NEW.orig_packets, NEW.reply_bytes, NEW.reply_packets,
	       NEW.start_off IS NULL
	WHERE NEW.first_off <> OLD.first_off
	   OR NEW.start_off IS NOT OLD.start_off;
END;
