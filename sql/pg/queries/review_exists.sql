-- review_exists.sql in PostgreSQL: the cluster store always has one.
SELECT count(*) FROM information_schema.tables
WHERE table_schema = current_schema() AND table_name = 'review';
