-- The inventory reaches ?1 (Unix seconds): the raw rows before it may be
-- resolved (store_resolve()).  An old snapshot imported late leaves it.
INSERT INTO meta (key, value) VALUES ('inventory_at', CAST(?1 AS TEXT))
ON CONFLICT (key) DO UPDATE SET value = CAST(max(CAST(value AS INTEGER),
						CAST(excluded.value AS INTEGER))
					    AS TEXT);
