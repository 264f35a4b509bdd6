-- The days resolved with the digest of their inventory, from day ?1 on.
SELECT day, digest FROM edge_day_inventory WHERE day >= ?1 ORDER BY day;
