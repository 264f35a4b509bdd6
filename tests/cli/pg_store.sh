#!/bin/bash
# policygen on the cluster store, a real PostgreSQL server of the test's
# own: what each command prints from --db postgresql://... is what it
# prints from the nodes' SQLite files, byte for byte, with the same
# inventory imported and the same rows shipped.
. "$(dirname "$0")/../lib.sh"

t_tmpdir pgstore
# Nothing here may reach another server: without one of its own, stop.
t_pg_start || { t_fail "PostgreSQL" "no server of the test's own (make deps installs PostgreSQL)"; t_done; exit 1; }
pg() { psql "$PG_URI" -XAtq -c "$1"; }
NOW=(--now 2026-11-24T00:00:00Z)

# Two nodes that both saw the example's connections (a client's node and
# a server's do): node-b's file is node-a's, copied before either ships.
a=$tmp/node-a.db
b=$tmp/node-b.db
t_javaapp_db "$a"
cp "$a" "$b"

# same WHAT ARGS...: the command's output and exit status from the
# cluster store ($PG_URI) and from the files ($files), the same.
same() {
	local what=$1
	shift
	t_case "$what"
	t_capture "$@" $files
	local want_out=$t_out want_err=$t_err want_status=$t_status
	t_capture "$@" --db "$PG_URI"
	if [ "$t_status" != "$want_status" ]; then
		t_bad "exit $t_status from the cluster store, $want_status from the files: $(head -3 <<<"$t_err")"
	elif [ "$t_out" != "$want_out" ]; then
		t_bad "the output differs: $(diff <(printf '%s\n' "$want_out") <(printf '%s\n' "$t_out") | head -8)"
	fi
}

t_case "an empty cluster store: no inventory, said as of a file"
t_run 1 "$POLICYGEN" generate --db "$PG_URI"
t_match "$t_err" "*no inventory*"

t_case "import into the cluster store before any node ships"
t_run 0 "$POLICYGEN" import --db "$PG_URI" --retention-days 0 --raw-retention-hours 0 --at 2026-11-23T07:20:00Z "$FIXTURES/javaapp-before.yaml"
t_case "the inventory is the file's, row for row"
"$POLICYGEN" import --db "$tmp/before.db" --at 2026-11-23T07:20:00Z "$FIXTURES/javaapp-before.yaml" >/dev/null
for q in "SELECT pod_id, ip, valid_from, coalesce(valid_until, -1) FROM pod_ip ORDER BY 1, 2" 	"SELECT id, uid, namespace, name, workload_kind, workload_name, first_seen FROM pod ORDER BY 1"; do
	t_equal "$(pg "$q")" "$(sqlite3 -readonly "$tmp/before.db" "$q")"
done

t_case "node-a ships, then the second snapshot is imported: resolution on the cluster store"
t_run 0 "$POLICYGEN" ship --db "$a" --to "$PG_URI" --node-name node-a
t_run 0 "$POLICYGEN" import --db "$PG_URI" --retention-days 0 --raw-retention-hours 0 --at 2026-11-23T08:30:00Z "$FIXTURES/javaapp.yaml"
t_equal "$(pg "SELECT count(*) > 0 FROM node_edge_day WHERE node = 'node-a'")" t

files="--db $a"
same "generate, one node" "$POLICYGEN" generate -A "${NOW[@]}"
same "generate -o json" "$POLICYGEN" generate -A -o json "${NOW[@]}"
same "generate -o name" "$POLICYGEN" generate -A -o name "${NOW[@]}"
same "generate --before-dnat --dns any" "$POLICYGEN" generate -A --before-dnat --dns any "${NOW[@]}"
same "generate of a namespace" "$POLICYGEN" generate -n example-java-app "${NOW[@]}"
same "generate --workload" "$POLICYGEN" generate --workload example-java-app/javaapp "${NOW[@]}"
same "generate --since" "$POLICYGEN" generate -A --since 2026-11-23T08:00:00Z "${NOW[@]}"
same "a workload that names nothing" "$POLICYGEN" generate --workload example-java-app/javapp "${NOW[@]}"
same "flows" "$POLICYGEN" flows -A
same "flows -o json" "$POLICYGEN" flows -A -o json
same "flows --workload" "$POLICYGEN" flows --workload example-java-app/jclient
same "workloads" "$POLICYGEN" workloads -A "${NOW[@]}"
same "workloads -o wide" "$POLICYGEN" workloads -A -o wide "${NOW[@]}"
same "workloads -o json" "$POLICYGEN" workloads -A -o json "${NOW[@]}"
"$POLICYGEN" generate -A --db "$a" "${NOW[@]}" >"$tmp/policies.yaml" 2>/dev/null
same "check replays the recorded flows" "$POLICYGEN" check -f "$tmp/policies.yaml"
same "check -o yaml" "$POLICYGEN" check -f "$tmp/policies.yaml" -o yaml
same "check --flow" "$POLICYGEN" check -f "$tmp/policies.yaml" --flow '192.168.0.10 -> example-java-app/jclient:8080/TCP'
same "review list" "$POLICYGEN" review list -A

t_case "a review decision kept in the cluster store reaches generate there"
t_run 0 "$POLICYGEN" review reject example-java-app/javaapp egress 203.0.113.80 --reason "not ours" --by alice --db "$PG_URI"
t_run 0 "$POLICYGEN" review reject example-java-app/javaapp egress 203.0.113.80 --reason "not ours" --by alice --db "$a"
t_equal "$(pg "SELECT decided_by || ' ' || reason FROM review")" "alice not ours"
pg "UPDATE review SET decided_at = 1795420000"
sqlite3 "$a" "UPDATE review SET decided_at = 1795420000"
same "review list, a decision" "$POLICYGEN" review list -A
same "generate, a decision" "$POLICYGEN" generate -A "${NOW[@]}"
t_case "review clear in the cluster store"
t_run 0 "$POLICYGEN" review clear example-java-app/javaapp egress 203.0.113.80 --db "$PG_URI"
t_equal "$(pg "SELECT count(*) FROM review")" 0
t_run 0 "$POLICYGEN" review clear example-java-app/javaapp egress 203.0.113.80 --db "$a"

t_case "a second node with the same connections: they count once, as with a --db of each"
t_run 0 "$POLICYGEN" ship --db "$b" --to "$PG_URI" --node-name node-b
t_run 0 "$POLICYGEN" import --db "$PG_URI" --retention-days 0 --raw-retention-hours 0 --at 2026-11-23T08:30:00Z "$FIXTURES/javaapp.yaml"
files="--db $a --db $b"
same "generate, two nodes" "$POLICYGEN" generate -A "${NOW[@]}"
same "workloads, two nodes" "$POLICYGEN" workloads -A "${NOW[@]}"
same "check, two nodes" "$POLICYGEN" check -f "$tmp/policies.yaml"

t_case "rows shipped after their hours were resolved wait as late changes, then count"
sqlite3 "$b" "INSERT INTO edge (bucket, client_ip, server_ip, server_port, protocol, first_seen, last_seen, connections)
	VALUES (1795419600, '10.244.1.11', '10.244.1.10', 8080, 6, 1795419600 + 10, 1795419600 + 20, 7);
	UPDATE edge SET connections = connections + 5 WHERE server_port = 8080 AND client_ip = '10.244.1.30' AND bucket = 1795417800"
t_run 0 "$POLICYGEN" ship --db "$b" --to "$PG_URI" --node-name node-b
t_equal "$(pg "SELECT count(*) > 0 FROM node_edge_late WHERE node = 'node-b'")" t
t_run 0 "$POLICYGEN" import --db "$PG_URI" --retention-days 0 --raw-retention-hours 0 --at 2026-11-23T08:30:00Z "$FIXTURES/javaapp.yaml"
t_run 0 "$POLICYGEN" import --db "$b" --at 2026-11-23T08:30:00Z "$FIXTURES/javaapp.yaml"
t_equal "$(pg "SELECT count(*) FROM node_edge_late")" 0
same "generate after late rows" "$POLICYGEN" generate -A "${NOW[@]}"
same "flows after late rows" "$POLICYGEN" flows -A

t_case "a ship under way while the node's rows are resolved: its row counts, once"
# As a ship writes (its mark taken first), held open while an import
# resolves the row's hour; the same row written to the node's file.
row="SELECT 'node-a', 1795421400, c.id, r.id, 10, 20, 10, 7, 1000
	FROM addr AS c, route AS r JOIN addr AS s ON s.id = r.server
	WHERE c.ip = '10.244.1.11' AND s.ip = '10.244.1.10' AND r.server_port = 8080
	  AND r.protocol = 6 AND r.service = 0 AND r.client_nat = 0"
psql "$PG_URI" -XAtq -c "BEGIN" -c "SELECT 1 FROM ship_state WHERE node = 'node-a' FOR UPDATE" \
	-c "INSERT INTO node_edge_raw (node, bucket, client, route, first_off, last_off, start_off, connections, changed) $row" \
	-c "SELECT pg_sleep(2)" -c "COMMIT" >/dev/null &
holder=$!
sqlite3 "$a" "INSERT INTO edge (bucket, client_ip, server_ip, server_port, protocol, first_seen, last_seen, last_start, connections)
	VALUES (1795421400, '10.244.1.11', '10.244.1.10', 8080, 6, 1795421400 + 10, 1795421400 + 20, 1795421400 + 10, 7)"
sleep 0.5
t_run 0 "$POLICYGEN" import --db "$PG_URI" --retention-days 0 --raw-retention-hours 0 --at 2026-11-23T09:30:00Z "$FIXTURES/javaapp.yaml"
wait "$holder"
t_run 0 "$POLICYGEN" import --db "$a" --at 2026-11-23T09:30:00Z "$FIXTURES/javaapp.yaml"
t_equal "$(PGOPTIONS='-c podflow.node=node-a' pg "SELECT sum(connections) FROM edge WHERE bucket = 1795421400 AND client_ip = '10.244.1.11' AND server_port = 8080")" 7
t_equal "$(pg "SELECT value FROM node_meta WHERE node = 'node-a' AND key = 'resolved_until'")" "$(sqlite3 -readonly "$a" "SELECT value FROM meta WHERE key = 'resolved_until'")"
same "generate after it" "$POLICYGEN" generate -A "${NOW[@]}"
same "flows after it" "$POLICYGEN" flows -A

t_case "the node's settings go with its rows: bucket width, pod CIDRs"
for key in time_bucket_seconds pod_cidrs; do
	t_equal "$(pg "SELECT value FROM node_meta WHERE node = 'node-a' AND key = '$key'")" \
		"$(sqlite3 -readonly "$a" "SELECT value FROM meta WHERE key = '$key'")"
done

# The README's cookbook in psql, the node named: the rows sqlite3 gives on
# node-b's file (ties of a LIMIT in any order: compared sorted).
sqlite3 "$b" "INSERT INTO collector_counter (name, value, updated) VALUES ('connections', 8, 62), ('enobufs', 0, 62)"
pg "INSERT INTO node_collector_counter (node, name, value, updated) VALUES ('node-b', 'connections', 8, 62), ('node-b', 'enobufs', 0, 62)"
n=0
while IFS= read -r -d $'\x1e' q; do
	n=$((n + 1))
	t_case "README query $n in psql"
	t_run 0 env PGOPTIONS='-c podflow.node=node-b' psql "$PG_URI" -XAtq -v ON_ERROR_STOP=1 -c "$q"
	t_check "no rows" [ -n "$t_out" ]
	t_equal "$(sort <<<"$t_out")" "$(sqlite3 -readonly "$b" "$q" | sort)"
done < <(awk -f "$(dirname "$0")/../tools/readme-queries.awk" "$(dirname "$0")/../../README.md")
[ "$n" -ge 6 ] || t_fail "README queries found" "only $n"

t_case "import --watch into the cluster store, as the central host's watch runs it"
pg "CREATE DATABASE watch" >/dev/null
wuri=${PG_URI/\/postgres\?/\/watch?}
t_run 0 "$POLICYGEN" import --db "$wuri" --watch --at 2026-11-23T10:30:00Z "$FIXTURES/watch-pods.yaml"
t_run 0 "$POLICYGEN" import --db "$tmp/watch.db" --watch --at 2026-11-23T10:30:00Z "$FIXTURES/watch-pods.yaml"
q="SELECT p.uid, p.name, p.workload_kind, p.workload_name, pi.ip, pi.valid_from, coalesce(pi.valid_until, -1)
	FROM pod AS p LEFT JOIN pod_ip AS pi ON pi.pod_id = p.id ORDER BY 1, 5"
t_equal "$(psql "$wuri" -XAtq -c "$q")" "$(sqlite3 -readonly "$tmp/watch.db" "$q")"
t_check "no pods" [ -n "$(sqlite3 -readonly "$tmp/watch.db" "$q")" ]

t_case "an import keeps the cluster store's retention: resolved raw rows past it go, the answers stay"
pg "CREATE DATABASE keep" >/dev/null
kuri=${PG_URI/\/postgres\?/\/keep?}
t_run 0 "$POLICYGEN" import --db "$kuri" --at 2026-11-23T07:20:00Z "$FIXTURES/javaapp-before.yaml"
# The node's first 8 flushes, then it is cut off for longer than the raw
# retention; its database the same (a copy, the same id).
cp "$a" "$tmp/early.db"
sqlite3 "$tmp/early.db" "DELETE FROM edge_raw WHERE changed > 8; DELETE FROM change_log WHERE seq > 8"
t_run 0 "$POLICYGEN" ship --db "$tmp/early.db" --to "$kuri" --node-name k
t_run 0 "$POLICYGEN" import --db "$kuri" --retention-days 0 --raw-retention-hours 0 --at 2026-11-23T09:30:00Z "$FIXTURES/javaapp.yaml"
raw=$(psql "$kuri" -XAtq -c "SELECT count(*) FROM node_edge_raw")
# Today is days after the example: its resolved raw rows are past 48 hours.
t_run 0 "$POLICYGEN" import --db "$kuri" --at 2026-11-23T09:30:00Z "$FIXTURES/javaapp.yaml"
t_check "no raw rows to let go: $raw" [ "$raw" -gt 0 ]
t_equal "$(psql "$kuri" -XAtq -c "SELECT count(*) FROM node_edge_raw WHERE bucket < 1795424400")" 0
t_check "raw_kept_from not kept" [ -n "$(psql "$kuri" -XAtq -c "SELECT value FROM node_meta WHERE node = 'k' AND key = 'raw_kept_from'")" ]
t_case "a node back after longer than the raw retention: its backlog counts, once"
t_run 0 "$POLICYGEN" ship --db "$a" --to "$kuri" --node-name k
t_run 0 "$POLICYGEN" import --db "$kuri" --at 2026-11-23T09:30:00Z "$FIXTURES/javaapp.yaml"
t_equal "$("$POLICYGEN" generate -A --db "$kuri" "${NOW[@]}" 2>/dev/null)" "$("$POLICYGEN" generate -A --db "$a" "${NOW[@]}" 2>/dev/null)"
t_case "retention options are a cluster store's"
t_run 2 "$POLICYGEN" import --db "$tmp/before.db" --retention-days 3 "$FIXTURES/javaapp.yaml"
t_match "$t_err" "*are a cluster store's: podflowd keeps its database's*"

t_case "info on the cluster store: its inventory"
t_run 0 "$POLICYGEN" info --db "$PG_URI" "${NOW[@]}"
t_equal "$(grep '^inventory:' <<<"$t_out")" "$("$POLICYGEN" info --db "$a" "${NOW[@]}" | grep '^inventory:')"
t_nomatch "$t_out" "*password*"

t_case "66 nodes (more than --db takes) that saw the same connections count them once"
"$POLICYGEN" generate -A --db "$b" "${NOW[@]}" >"$tmp/one.yaml" 2>/dev/null
for i in $(seq 1 64); do
	"$POLICYGEN" ship --db "$b" --to "$PG_URI" --node-name "copy-$i" >/dev/null || t_bad "ship copy-$i"
done
t_run 0 "$POLICYGEN" import --db "$PG_URI" --retention-days 0 --raw-retention-hours 0 --at 2026-11-23T08:30:00Z "$FIXTURES/javaapp.yaml"
t_equal "$(pg "SELECT count(*) FROM cluster_node")" 66
t_run 0 "$POLICYGEN" generate -A --db "$PG_URI" "${NOW[@]}"
t_equal "$t_out" "$(cat "$tmp/one.yaml")"
t_equal "$(pg "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")" 1

t_case "a store without the tables' collation would sort otherwise: names compare byte for byte"
t_equal "$(pg "SELECT string_agg(n, ' ' ORDER BY n) FROM (VALUES ('a'::text COLLATE \"C\"), ('B'), ('_')) AS v (n)")" "B _ a"
t_equal "$(pg "SELECT collation_name FROM information_schema.columns WHERE table_name = 'pod' AND column_name = 'name'")" C

# Two nodes' windows of more rows than the cluster store reads at once
# (10,000: sdb_pg.c), merged as they are read: each node's read goes on
# in parts, in turn with the other's, on one connection.
t_case "windows of more rows than a part, from two nodes at once: as from the files"
c=$tmp/node-c.db
d=$tmp/node-d.db
pg "CREATE DATABASE stream"
big_uri="postgresql:///stream?host=$tmp/pg/sock&user=postgres"
"$PFMKDB" "$c" fill 2 12000 1795420800 >/dev/null && "$PFMKDB" "$d" fill 1 15000 1795420800 >/dev/null ||
	t_fail "set-up" "pfmkdb fill failed"
for n in c d; do
	"$POLICYGEN" ship --db "$tmp/node-$n.db" --to "$big_uri" --node-name "node-$n" >/dev/null ||
		t_fail "set-up" "node-$n did not ship"
done
for db in "$c" "$d" "$big_uri"; do
	keep=()
	[ "$db" != "$big_uri" ] || keep=(--retention-days 0 --raw-retention-hours 0)
	"$POLICYGEN" import --db "$db" "${keep[@]}" --at 2026-11-23T07:20:00Z "$FIXTURES/javaapp-before.yaml" >/dev/null &&
		"$POLICYGEN" import --db "$db" "${keep[@]}" --at 2026-11-23T08:30:00Z "$FIXTURES/javaapp.yaml" >/dev/null ||
		t_fail "set-up" "import into $db failed"
done
t_run 0 "$POLICYGEN" flows -A --db "$big_uri"
t_equal "$(grep -c '^10\.1\.' <<<"$t_out")" 15000
files="--db $c --db $d"
saved_uri=$PG_URI
PG_URI=$big_uri
same "flows of the two nodes' windows" "$POLICYGEN" flows -A
same "workloads of them" "$POLICYGEN" workloads -A "${NOW[@]}"
same "generate of them" "$POLICYGEN" generate -A "${NOW[@]}"
PG_URI=$saved_uri

t_done
