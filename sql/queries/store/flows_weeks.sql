-- The summed weeks wholly inside the window [?1, ?2): the first, the end
-- of the last, and how many (store/flow_window.c takes them when they
-- follow each other, as they do but where a week could not be summed).
SELECT min(week), max(week) + 604800, count(*)
FROM edge_week_done
WHERE week >= ?1 AND week + 604800 <= ?2;
