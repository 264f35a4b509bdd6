-- Forgets what was resolved from day ?1 on, to be resolved again from the
-- raw rows (store_resolve(): an import changed the inventory of that day).
DELETE FROM edge_day WHERE day >= ?1;
DELETE FROM edge_day_inventory WHERE day >= ?1;
DELETE FROM edge_late WHERE bucket >= ?1;
-- The weeks that hold one of those days are summed again at their end.
DELETE FROM edge_week WHERE week + 604800 > ?1;
DELETE FROM edge_week_done WHERE week + 604800 > ?1;
