-- The cluster store's roles (PostgreSQL), run once by the database's
-- owner or a superuser before the first import, and again after an
-- upgrade changes them:
--
--   psql -v ON_ERROR_STOP=1 -d podflow -f /usr/local/share/podflow/roles.sql
--
-- podflow_importer  the central importer: owns the schema podflow and
--                   its tables, applies the migrations (the central host
--                   upgrades first), imports the inventory and resolves
--                   every node's rows.  Give it a password or a
--                   certificate: ALTER ROLE podflow_importer PASSWORD ...
-- podflow_reviewer  people who generate, check and keep review
--                   decisions: reads everything, writes decisions alone.
-- podflow_reader    reads everything (generate, check, flows, info).
-- podflow_node      a node's shipper, a role per node named as the node:
--                     CREATE ROLE "node1" LOGIN IN ROLE podflow_node;
--                     ALTER ROLE "node1" SET search_path = podflow;
--                   it may write its own node's rows, marks and settings
--                   alone (row-level security, migration 004), so one
--                   node cannot forge another's flows.
--
-- Every role reads and writes the schema podflow, not public.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'podflow_importer') THEN
		CREATE ROLE podflow_importer LOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'podflow_reviewer') THEN
		CREATE ROLE podflow_reviewer NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'podflow_reader') THEN
		CREATE ROLE podflow_reader NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'podflow_node') THEN
		CREATE ROLE podflow_node NOLOGIN;
	END IF;
END;
$$;

CREATE SCHEMA IF NOT EXISTS podflow AUTHORIZATION podflow_importer;

-- Each role finds the tables in podflow.  A login role of a group sets
-- its own (a role's settings are not its members'):
--   ALTER ROLE "node1" SET search_path = podflow;
ALTER ROLE podflow_importer SET search_path = podflow;
ALTER ROLE podflow_reviewer SET search_path = podflow;
ALTER ROLE podflow_reader SET search_path = podflow;
ALTER ROLE podflow_node SET search_path = podflow;

-- What a migration adds later is readable by them at once.
ALTER DEFAULT PRIVILEGES FOR ROLE podflow_importer IN SCHEMA podflow
	GRANT SELECT ON TABLES TO podflow_reader, podflow_reviewer,
	podflow_node;
GRANT USAGE ON SCHEMA podflow TO podflow_reader, podflow_reviewer,
	podflow_node;

-- The tables there are already (an upgrade): their privileges, as the
-- schema's migrations say them (migration 004's podflow_grant()).
DO $$
BEGIN
	IF to_regprocedure('podflow.podflow_grant()') IS NOT NULL THEN
		SET LOCAL search_path = podflow;
		PERFORM podflow.podflow_grant();
	END IF;
END;
$$;
