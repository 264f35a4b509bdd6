-- Cluster store schema version 4: who may write what, for the roles of
-- sql/pg/roles.sql.  A node's shipper (a member of podflow_node, its
-- role named as the node) may write its own node's rows alone, so that
-- one node cannot forge another's flows; the importer, which owns the
-- tables, resolves every node's; a reviewer keeps decisions; a reader
-- reads.  Without those roles (a database of one owner) nothing changes.

-- Whether the session may write node's rows: any role but podflow_node's
-- members, and those the node named as they are.
CREATE FUNCTION podflow_may_write(node text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN node = current_user OR NOT EXISTS (
	SELECT 1 FROM pg_roles AS r
	WHERE r.rolname = 'podflow_node'
	  AND pg_has_role(current_user, r.oid, 'MEMBER'));

-- The node's rows, marks, names and settings, as it writes them.
ALTER TABLE node_edge_raw ENABLE ROW LEVEL SECURITY;
ALTER TABLE ship_state ENABLE ROW LEVEL SECURITY;
ALTER TABLE cluster_node ENABLE ROW LEVEL SECURITY;
ALTER TABLE node_meta ENABLE ROW LEVEL SECURITY;

CREATE POLICY reads ON node_edge_raw FOR SELECT USING (true);
CREATE POLICY own_rows ON node_edge_raw FOR INSERT
	WITH CHECK (podflow_may_write(node));
CREATE POLICY own_updates ON node_edge_raw FOR UPDATE
	USING (podflow_may_write(node)) WITH CHECK (podflow_may_write(node));
CREATE POLICY own_deletes ON node_edge_raw FOR DELETE
	USING (podflow_may_write(node));

CREATE POLICY reads ON ship_state FOR SELECT USING (true);
CREATE POLICY own_rows ON ship_state FOR INSERT
	WITH CHECK (podflow_may_write(node));
CREATE POLICY own_updates ON ship_state FOR UPDATE
	USING (podflow_may_write(node)) WITH CHECK (podflow_may_write(node));
CREATE POLICY own_deletes ON ship_state FOR DELETE
	USING (podflow_may_write(node));

CREATE POLICY reads ON cluster_node FOR SELECT USING (true);
CREATE POLICY own_rows ON cluster_node FOR INSERT
	WITH CHECK (podflow_may_write(name));
CREATE POLICY own_deletes ON cluster_node FOR DELETE
	USING (podflow_may_write(name));

-- node_meta's '' rows are the cluster's: an import's, not a node's.
CREATE POLICY reads ON node_meta FOR SELECT USING (true);
CREATE POLICY own_rows ON node_meta FOR INSERT
	WITH CHECK (podflow_may_write(node));
CREATE POLICY own_updates ON node_meta FOR UPDATE
	USING (podflow_may_write(node)) WITH CHECK (podflow_may_write(node));
CREATE POLICY own_deletes ON node_meta FOR DELETE
	USING (podflow_may_write(node));

-- A shipped row of a resolved hour waits as a late change whoever ships
-- it: the trigger writes as the tables' owner, the node need not.
ALTER FUNCTION node_edge_late_keep() SECURITY DEFINER;
ALTER FUNCTION node_edge_late_keep() SET search_path FROM CURRENT;

-- The privileges of sql/pg/roles.sql's roles on the tables there are,
-- granted again by each migration that adds some (and by roles.sql):
-- one place says who may do what.
CREATE FUNCTION podflow_grant() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	s text := quote_ident(current_schema());
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['podflow_reader', 'podflow_reviewer',
				 'podflow_node'] LOOP
		IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
			EXECUTE format('GRANT USAGE ON SCHEMA %s TO %I', s, r);
			EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %s TO %I',
				       s, r);
		END IF;
	END LOOP;
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'podflow_reviewer') THEN
		GRANT INSERT, UPDATE, DELETE ON review TO podflow_reviewer;
		EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %s '
			       'TO podflow_reviewer', s);
	END IF;
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'podflow_node') THEN
		GRANT INSERT ON addr, route TO podflow_node;
		GRANT INSERT, UPDATE ON node_edge_raw, ship_state TO podflow_node;
		GRANT INSERT ON cluster_node TO podflow_node;
		GRANT INSERT, UPDATE ON node_meta TO podflow_node;
		EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %s '
			       'TO podflow_node', s);
	END IF;
END;
$$;

SELECT podflow_grant();
