-- ?1 day, ?2 the digest of the inventory its resolved rows were read with.
INSERT INTO edge_day_inventory (day, digest) VALUES (?1, ?2)
ON CONFLICT (day) DO UPDATE SET digest = excluded.digest;
