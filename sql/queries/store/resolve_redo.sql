-- Forgets what was resolved from day ?1 on, to be resolved again from the
-- raw rows (store_resolve(): an import changed the inventory of that day).
DELETE FROM edge_day WHERE day >= ?1;
DELETE FROM edge_day_inventory WHERE day >= ?1;
DELETE FROM edge_late WHERE bucket >= ?1;
