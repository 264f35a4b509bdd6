#!/bin/bash
# The cluster store's roles (sql/pg/roles.sql) on a real PostgreSQL
# server of the test's own: the importer owns and migrates the schema
# podflow, a reviewer keeps decisions, a reader reads, and a node's
# shipper writes its own node's rows alone: it cannot forge another's.
. "$(dirname "$0")/../lib.sh"

t_tmpdir pgroles
t_pg_start || { t_fail "PostgreSQL" "no server of the test's own (make deps installs PostgreSQL)"; t_done; exit 1; }
top=$(cd "$(dirname "$0")/../.." && pwd)
sock=$tmp/pg/sock
as() { echo "postgresql:///podflow?host=$sock&user=$1"; }
# psql as role $1 of database podflow.
sql() { psql "$(as "$1")" -XAtq -v ON_ERROR_STOP=1 -c "$2"; }
NOW=(--now 2026-11-24T00:00:00Z)
a=$tmp/node-a.db
t_javaapp_db "$a"
sqlite3 "$a" "INSERT INTO meta (key, value) VALUES ('node', 'node-a')"

t_case "roles.sql, run by the database's owner"
t_run 0 psql "$PG_URI" -XAtq -v ON_ERROR_STOP=1 -c "CREATE DATABASE podflow"
t_run 0 psql "$(as postgres)" -XAtq -v ON_ERROR_STOP=1 -f "$top/sql/pg/roles.sql"
for r in node-a node-b; do
	sql postgres "CREATE ROLE \"$r\" LOGIN IN ROLE podflow_node; ALTER ROLE \"$r\" SET search_path = podflow"
done
sql postgres "CREATE ROLE alice LOGIN IN ROLE podflow_reviewer; ALTER ROLE alice SET search_path = podflow"
sql postgres "CREATE ROLE bob LOGIN IN ROLE podflow_reader; ALTER ROLE bob SET search_path = podflow"
t_case "roles.sql again changes nothing"
t_run 0 psql "$(as postgres)" -XAtq -v ON_ERROR_STOP=1 -f "$top/sql/pg/roles.sql"

t_case "a node before the central host: it may not make the schema, and says who does"
t_run 3 "$POLICYGEN" ship --db "$a" --to "$(as node-a)"
t_match "$t_err" "*upgrade the central host first, whose importer applies it*"

t_case "the importer makes the schema, in podflow"
t_run 0 "$POLICYGEN" import --db "$(as podflow_importer)" --at 2026-11-23T07:20:00Z "$FIXTURES/javaapp-before.yaml"
t_equal "$(sql postgres "SELECT schemaname || ' ' || tableowner FROM pg_tables WHERE tablename = 'pod'")" "podflow podflow_importer"
t_equal "$(sql postgres "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" 0

t_case "a node ships its own rows"
t_run 0 "$POLICYGEN" ship --db "$a" --to "$(as node-a)"
t_equal "$(sql bob "SELECT count(*) FROM node_edge_raw WHERE node = 'node-a'")" "$(sqlite3 -readonly "$a" "SELECT count(*) FROM edge_raw")"

t_case "a node cannot ship as another"
t_run 3 "$POLICYGEN" ship --db "$a" --to "$(as node-a)" --node-name node-b
t_match "$t_err" "*row-level security*"
t_equal "$(sql bob "SELECT count(*) FROM node_edge_raw WHERE node = 'node-b'")" 0

t_case "a node cannot change, add or remove another's rows by hand"
t_equal "$(sql node-b "UPDATE node_edge_raw SET connections = 0 WHERE node = 'node-a' RETURNING 1" 2>&1)" ""
t_match "$(sql node-b "DELETE FROM node_edge_raw WHERE node = 'node-a' RETURNING 1" 2>&1)" "*permission denied*"
t_match "$(sql node-b "INSERT INTO node_edge_raw SELECT * FROM node_edge_raw WHERE node = 'node-a' LIMIT 0; INSERT INTO node_edge_raw (node, bucket, client, route, first_off, last_off, connections, changed) SELECT 'node-a', bucket + 60, client, route, 0, 1, 1, 999 FROM node_edge_raw WHERE node = 'node-a' LIMIT 1" 2>&1)" "*row-level security*"
t_match "$(sql node-b "UPDATE ship_state SET shipped_seq = 0 WHERE node = 'node-a'; SELECT shipped_seq FROM ship_state WHERE node = 'node-a'" 2>&1)" "15"
t_match "$(sql node-b "DELETE FROM pod" 2>&1)" "*permission denied*"
t_match "$(sql node-b "INSERT INTO review (namespace, kind, name, direction, peer, decision, decided_by, decided_at) VALUES ('a', 'Pod', 'b', 'egress', '0.0.0.0/0', 'accepted', 'x', 1)" 2>&1)" "*permission denied*"
t_equal "$(sql bob "SELECT count(*) || ' ' || sum(connections) FROM node_edge_raw WHERE node = 'node-a'")" \
	"$(sqlite3 -readonly "$a" "SELECT count(*) || ' ' || sum(connections) FROM edge_raw")"

t_case "the importer resolves every node's rows"
t_run 0 "$POLICYGEN" import --db "$(as podflow_importer)" --at 2026-11-23T08:30:00Z "$FIXTURES/javaapp.yaml"
t_equal "$(sql bob "SELECT count(*) > 0 FROM node_edge_day WHERE node = 'node-a'")" t

t_case "a reader generates what the file does, and may not decide"
t_run 0 "$POLICYGEN" generate -A --db "$(as bob)" "${NOW[@]}"
t_equal "$t_out" "$("$POLICYGEN" generate -A --db "$a" "${NOW[@]}" 2>/dev/null)"
t_run 3 "$POLICYGEN" review reject example-java-app/javaapp egress 203.0.113.80 --by bob --db "$(as bob)"
t_match "$t_err" "*permission denied*"
t_run 3 "$POLICYGEN" import --db "$(as bob)" "$FIXTURES/javaapp.yaml"

t_case "a reviewer keeps decisions, and may not import"
t_run 0 "$POLICYGEN" review reject example-java-app/javaapp egress 203.0.113.80 --by alice --db "$(as alice)"
t_run 0 "$POLICYGEN" review list --db "$(as alice)" -A
t_match "$t_out" "*rejected*alice*"
t_run 3 "$POLICYGEN" import --db "$(as alice)" "$FIXTURES/javaapp.yaml"
t_match "$t_err" "*permission denied*"

t_done
