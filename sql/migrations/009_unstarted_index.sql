-- Schema version 9: the resolved rows without start times indexed.
--
-- Every reader notes how many rows of its window carry no connection
-- start times (edge_count_unstarted.sql).  They are rows recorded before
-- version 7 or found in a table dump, rare once podflowd keeps start
-- times, yet counting them read every resolved row of the window: a
-- tenth of generate's time on a week.  A partial index holds those rows
-- alone (and the negative ones a late change can leave, which take a row
-- back), so the count reads those rows and no others.
CREATE INDEX edge_day_unstarted ON edge_day (day) WHERE unstarted <> 0;
