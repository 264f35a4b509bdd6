-- The addresses a batch names ($1, a text array), added if new, in order
-- and outside the batch's transaction: shippers of two nodes that add the
-- same new address wait for one another briefly, never deadlock, and each
-- finds it after.
INSERT INTO addr (ip)
SELECT DISTINCT ip FROM unnest($1::text[]) AS u (ip)
WHERE ip <> ''
ORDER BY 1
ON CONFLICT (ip) DO NOTHING;
