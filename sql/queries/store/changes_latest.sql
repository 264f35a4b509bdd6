-- The number of the latest flush that wrote rows (0: none yet).
SELECT coalesce(max(seq), 0) FROM change_log;
