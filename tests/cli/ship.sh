#!/bin/bash
# policygen ship against a real PostgreSQL server of the test's own: a
# node's raw rows, with their totals, in the cluster store; a run again
# sends what changed since, replacing, never adding; a failed batch
# writes nothing and moves no mark.
. "$(dirname "$0")/../lib.sh"

t_tmpdir ship
# Nothing here may reach another server: without one of its own, stop.
t_pg_start || { t_fail "PostgreSQL" "no server of the test's own (make deps installs PostgreSQL)"; t_done; exit 1; }
db=$tmp/node-a.db
t_javaapp_db "$db"
pg() { psql "$PG_URI" -XAtq -c "$1"; }
# The node's rows and the store's, as "rows connections".
local_sums() { sqlite3 -readonly "$db" "SELECT count(*) || ' ' || sum(connections) FROM edge_raw"; }
store_sums() { pg "SELECT count(*) || ' ' || sum(connections) FROM node_edge_raw WHERE node = '$1'"; }

t_case "a database that records no node name needs --node-name"
t_run 3 "$POLICYGEN" ship --db "$db" --to "$PG_URI"
t_match "$t_err" "*$db records no node name: give --node-name"
t_case "--to that is no PostgreSQL URI"
t_run 2 "$POLICYGEN" ship --db "$db" --to /tmp/x.db --node-name node-a
t_match "$t_err" "*--to: '/tmp/x.db' is not a PostgreSQL URI*"

t_case "the first run sends every row, with its totals"
t_run 0 "$POLICYGEN" ship --db "$db" --to "$PG_URI" --node-name node-a
t_match "$t_out" "shipped 15 rows in 1 batch as node node-a; its rows are there up to flush 15"
t_equal "$(store_sums node-a)" "$(local_sums)"
t_equal "$(pg "SELECT shipped_seq FROM ship_state WHERE node = 'node-a'")" 15
t_equal "$(pg "SELECT value FROM pg_meta WHERE key = 'schema_version'")" "$(ls "$FIXTURES"/../../sql/pg/migrations/*.sql | wc -l)"
t_case "the rows read as the node's: addresses, ports, the Service, SNAT"
t_equal "$(pg "SELECT c.ip || ' ' || s.ip || ' ' || r.server_port || ' ' || coalesce(v.ip, '-') || ':' || r.service_port || ' ' || coalesce(n.ip, '-') || ' ' || e.connections
	FROM node_edge_raw AS e JOIN addr AS c ON c.id = e.client JOIN route AS r ON r.id = e.route
	JOIN addr AS s ON s.id = r.server LEFT JOIN addr AS v ON v.id = r.service
	LEFT JOIN addr AS n ON n.id = r.client_nat
	WHERE s.ip IN ('10.244.1.10', '198.51.100.20') AND r.server_port IN (8080, 443) ORDER BY 1 LIMIT 2")" \
	"10.244.1.10 198.51.100.20 443 -:0 192.168.0.10 5
10.244.1.11 10.244.1.10 8080 10.96.0.20:80 - 20"

t_case "a run with nothing new sends nothing"
t_run 0 "$POLICYGEN" ship --db "$db" --to "$PG_URI" --node-name node-a
t_match "$t_out" "shipped 0 rows in 0 batches as node node-a*"
t_equal "$(store_sums node-a)" "$(local_sums)"

t_case "a row that grew is sent again, its new total replacing the old"
sqlite3 "$db" "UPDATE edge SET connections = connections + 5
	WHERE client_ip = '10.244.1.11' AND server_ip = '10.244.1.10' AND server_port = 8080"
t_run 0 "$POLICYGEN" ship --db "$db" --to "$PG_URI" --node-name node-a
t_match "$t_out" "shipped 1 row in 1 batch as node node-a; its rows are there up to flush 16"
t_equal "$(store_sums node-a)" "$(local_sums)"

t_case "a batch the store refuses writes nothing and moves no mark"
sqlite3 "$db" "UPDATE edge SET connections = connections + 1 WHERE server_port = 443"
pg "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN
	IF NEW.connections > 5 AND NEW.connections < 7 THEN RAISE EXCEPTION 'refused'; END IF;
	RETURN NEW; END \$\$;
	CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON node_edge_raw FOR EACH ROW EXECUTE FUNCTION refuse()"
before=$(pg "SELECT sum(connections) FROM node_edge_raw")
t_run 3 "$POLICYGEN" ship --db "$db" --to "$PG_URI" --node-name node-a
t_match "$t_err" "*writing rows: ERROR:  refused*"
t_equal "$(pg "SELECT sum(connections) || ' ' || (SELECT shipped_seq FROM ship_state)
	FROM node_edge_raw")" "$before 16"
pg "DROP TRIGGER refuse ON node_edge_raw"
t_run 0 "$POLICYGEN" ship --db "$db" --to "$PG_URI" --node-name node-a
t_match "$t_out" "shipped 3 rows in 1 batch*up to flush 19"
t_equal "$(store_sums node-a)" "$(local_sums)"

t_case "many flushes go in batches, each with its mark"
sqlite3 "$db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 130)
	INSERT INTO edge (bucket, client_ip, server_ip, server_port, protocol, service_ip,
			  service_port, client_nat_ip, first_seen, last_seen, connections)
	SELECT 1795939200 + i * 60, '10.244.1.11', '203.0.113.9', 443, 6, '', 0, '',
	       1795939200 + i * 60 + 1, 1795939200 + i * 60 + 2, 1 FROM n"
t_run 0 "$POLICYGEN" ship --db "$db" --to "$PG_URI" --node-name node-a
t_match "$t_out" "shipped 130 rows in 3 batches as node node-a; its rows are there up to flush 149"
t_equal "$(store_sums node-a)" "$(local_sums)"
t_equal "$(pg "SELECT rows FROM ship_state WHERE node = 'node-a'")" 149

t_case "another node's rows are its own"
t_run 0 "$POLICYGEN" ship --db "$db" --to "$PG_URI" --node-name node-b
t_equal "$(store_sums node-b)" "$(local_sums)"
t_equal "$(store_sums node-a)" "$(local_sums)"
t_equal "$(pg "SELECT count(*) FROM addr")" "$(sqlite3 "$db" "SELECT count(*) FROM addr")"

t_case "a node's database replaced: refused, not read wrong"
cp "$db" "$tmp/copy.db"
t_javaapp_db "$tmp/fresh.db"
t_run 3 "$POLICYGEN" ship --db "$tmp/fresh.db" --to "$PG_URI" --node-name node-a
t_match "$t_err" "*node node-a was shipped from another database (id *, $tmp/fresh.db is *): ship this one as another --node-name*"
sqlite3 "$tmp/copy.db" "DELETE FROM change_log WHERE seq > 100"
t_case "a database behind its mark (a copy restored): refused"
t_run 3 "$POLICYGEN" ship --db "$tmp/copy.db" --to "$PG_URI" --node-name node-a
t_match "$t_err" "*node node-a: $tmp/copy.db has flushes up to 100, the cluster store holds its rows up to 149*"

t_case "two ships of one node at once: one waits for the other's mark, and nothing is lost"
for i in $(seq 400); do echo "INSERT INTO edge (bucket, client_ip, server_ip, server_port, protocol, service_ip, service_port, client_nat_ip, first_seen, last_seen, connections) VALUES (1795939200 + $i * 60, '10.244.1.11', '203.0.113.$((i % 200 + 1))', 8443, 6, '', 0, '', 1795939200 + $i * 60 + 1, 1795939200 + $i * 60 + 2, 2);"; done | sqlite3 "$db"
"$POLICYGEN" ship --db "$db" --to "$PG_URI" --node-name node-a >"$tmp/one.out" 2>"$tmp/one.err" &
one=$!
"$POLICYGEN" ship --db "$db" --to "$PG_URI" --node-name node-a >"$tmp/two.out" 2>"$tmp/two.err"
two=$?
wait "$one"
one=$?
t_check "first: $one $(cat "$tmp/one.err"), second: $two $(cat "$tmp/two.err")" \
	[ "$one" = 0 -o "$two" = 0 ]
t_run 0 "$POLICYGEN" ship --db "$db" --to "$PG_URI" --node-name node-a
t_equal "$(store_sums node-a)" "$(local_sums)"

t_case "a history from before the flushes were numbered goes in parts, each a transaction of its own"
old=$tmp/node-old.db
cp "$FIXTURES/db/v11.db" "$old"
# 25,000 rows of schema 11, 100 in each of 250 buckets: parts of 10,000.
sqlite3 "$old" "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 24999)
	INSERT INTO edge (bucket, client_ip, server_ip, server_port, protocol, service_ip,
			  service_port, client_nat_ip, first_seen, last_seen, connections)
	SELECT 1795939200 + i / 100 * 60, '10.244.1.' || (i % 100), '203.0.113.9', 443, 6, '', 0, '',
	       1795939200 + i / 100 * 60 + 1, 1795939200 + i / 100 * 60 + 2, 1 + i % 7 FROM n"
"$PFMKDB" "$old" || t_fail "set-up" "pfmkdb could not migrate $old"
old_sums() { sqlite3 -readonly "$old" "SELECT count(*) || ' ' || sum(connections) FROM edge_raw"; }
t_equal "$(sqlite3 "$old" "SELECT count(*) FROM edge_raw WHERE changed = 0")" 25000
# The third part refused: the first two are there, the mark is not moved.
pg "CREATE FUNCTION refuse_part() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN
	IF NEW.node = 'node-old' AND NEW.bucket >= 1795939200 + 200 * 60 THEN RAISE EXCEPTION 'refused'; END IF;
	RETURN NEW; END \$\$;
	CREATE TRIGGER refuse_part BEFORE INSERT OR UPDATE ON node_edge_raw FOR EACH ROW EXECUTE FUNCTION refuse_part()"
t_run 3 "$POLICYGEN" ship --db "$old" --to "$PG_URI" --node-name node-old
t_match "$t_err" "*writing rows: ERROR:  refused*"
t_equal "$(store_sums node-old) $(pg "SELECT shipped_seq FROM ship_state WHERE node = 'node-old'")" \
	"$(sqlite3 -readonly "$old" "SELECT count(*) || ' ' || sum(connections) FROM edge_raw
		WHERE bucket < 1795939200 + 200 * 60") -1"
pg "DROP TRIGGER refuse_part ON node_edge_raw; DROP FUNCTION refuse_part()"
# Again from the first part: replaced, not added.
t_run 0 "$POLICYGEN" ship --db "$old" --to "$PG_URI" --node-name node-old
t_match "$t_out" "shipped 25000 rows in 3 batches as node node-old; its rows are there up to flush 0"
t_equal "$(store_sums node-old)" "$(old_sums)"
sqlite3 "$old" "UPDATE edge SET connections = connections + 1 WHERE bucket = 1795939200 AND client_ip = '10.244.1.3'"
t_run 0 "$POLICYGEN" ship --db "$old" --to "$PG_URI" --node-name node-old
t_match "$t_out" "shipped 1 row in 1 batch as node node-old; its rows are there up to flush 1"
t_equal "$(store_sums node-old)" "$(old_sums)"

ours=$(pg "SELECT value FROM pg_meta WHERE key = 'schema_version'")
t_case "a cluster store one version newer, that takes this shipper's rows: it ships, nothing else runs"
t_equal "$(pg "SELECT value FROM pg_meta WHERE key = 'ship_compatible'")" "$ours"
pg "UPDATE pg_meta SET value = '$((ours + 1))' WHERE key = 'schema_version'"
sqlite3 "$db" "UPDATE edge SET connections = connections + 1 WHERE server_port = 443"
t_run 0 "$POLICYGEN" ship --db "$db" --to "$PG_URI" --node-name node-a
t_match "$t_out" "shipped * as node node-a; its rows are there up to flush *"
t_equal "$(store_sums node-a)" "$(local_sums)"
t_equal "$(pg "SELECT value FROM pg_meta WHERE key = 'schema_version'")" "$((ours + 1))"
t_run 3 "$POLICYGEN" info --db "$PG_URI"
t_match "$t_err" "*cluster store schema version $((ours + 1)) is newer than this policygen ($ours): upgrade it (the central host first, then the nodes)"
t_case "a cluster store that takes no rows from a shipper this old: refused, the rows wait"
pg "UPDATE pg_meta SET value = '99' WHERE key = 'schema_version';
	UPDATE pg_meta SET value = '$((ours + 1))' WHERE key = 'ship_compatible'"
sqlite3 "$db" "UPDATE edge SET connections = connections + 1 WHERE server_port = 443"
t_run 3 "$POLICYGEN" ship --db "$db" --to "$PG_URI" --node-name node-a
t_match "$t_err" "*cluster store schema version 99 takes rows from a policygen of schema $((ours + 1)) or later, this one is $ours: upgrade this node's policygen (its rows wait in its database)"
t_case "a cluster store newer than this policygen is refused"
pg "DELETE FROM pg_meta WHERE key = 'ship_compatible'"
t_run 3 "$POLICYGEN" ship --db "$db" --to "$PG_URI" --node-name node-a
t_match "$t_err" "*cluster store schema version 99 takes rows from a policygen of schema 99 or later, this one is $ours*"
t_case "the password is never in a message"
t_run 3 "$POLICYGEN" ship --db "$db" --to "postgresql://u:secret@/postgres?host=$tmp/pg/sock" --node-name node-a
t_nomatch "$t_err" "*secret*"
t_run 3 "$POLICYGEN" ship --db "$db" --to "postgresql:///postgres?host=$tmp/pg/sock&user=u&password=secret" --node-name node-a
t_nomatch "$t_err" "*secret*"
t_match "$t_err" "*postgresql://u@$tmp/pg/sock/postgres*"

t_done
