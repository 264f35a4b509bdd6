-- A flush of edges without a mark (store_flush_counted()): the connections
-- counted no longer end at the mark kept, so no mark holds.
UPDATE meta SET value = '0'
WHERE key = 'collector_counted_before' AND value <> '0';
