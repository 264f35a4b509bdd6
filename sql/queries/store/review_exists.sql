-- Whether the database has review decisions at all (an older schema,
-- opened read-only, has no table for them).
SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'review';
