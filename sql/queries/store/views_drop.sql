-- The statements that drop the views sql/views.sql (bound as ?1) defines,
-- as one text: a migration may change what they read, and they are made
-- again after it.  Views someone else made in the database are theirs.
SELECT coalesce(group_concat('DROP VIEW "' || replace(name, '"', '""') ||
			     '";', ' '), '')
FROM sqlite_schema
WHERE type = 'view' AND instr(?1, 'CREATE VIEW ' || name || ' AS') > 0;
