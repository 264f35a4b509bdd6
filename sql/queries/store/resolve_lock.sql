-- What a resolution pass holds besides the write lock: in SQLite,
-- nothing (BEGIN IMMEDIATE holds the one writer's lock, and podflowd
-- writes under it too); see the PostgreSQL form.
SELECT 1;
