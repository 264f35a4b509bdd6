-- Drops every view of the cluster store's schema (sql/pg/views.sql makes
-- them again), before a migration changes what they read.
DO $$
DECLARE
	v record;
BEGIN
	FOR v IN SELECT viewname FROM pg_views
		 WHERE schemaname = current_schema() LOOP
		EXECUTE format('DROP VIEW IF EXISTS %I CASCADE', v.viewname);
	END LOOP;
END;
$$;
