#!/bin/bash
# policygen ship --follow against a real PostgreSQL server of the test's
# own: rows as they are written, the server stopped and started again,
# the shipper killed with SIGKILL in the middle of a batch: the cluster
# store's totals are the node's, exactly, every time.
. "$(dirname "$0")/../lib.sh"

t_tmpdir shipfollow
t_pg_start || { t_fail "PostgreSQL" "no server of the test's own (make deps installs PostgreSQL)"; t_done; exit 1; }
pg() { psql "$PG_URI" -XAtq -c "$1"; }
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pg_ctl() { runuser -u postgres -- "$pg_bin/pg_ctl" -D "$tmp/pg/data" "$@" >/dev/null 2>&1; }
db=$tmp/node-a.db
t_javaapp_db "$db"
local_sums() { sqlite3 -readonly "$1" "SELECT count(*) || ' ' || coalesce(sum(connections), 0) FROM edge_raw"; }
store_sums() { pg "SELECT count(*) || ' ' || coalesce(sum(connections), 0) FROM node_edge_raw WHERE node = '$1'"; }
shipper=
trap 'kill -9 $shipper 2>/dev/null; runuser -u postgres -- "$pg_bin/pg_ctl" -D "$tmp/pg/data" -m immediate stop >/dev/null 2>&1; rm -rf "$tmp"' EXIT

# caught_up DB NODE: waits (20 s at most) until the store holds DB's rows.
caught_up() {
	for _ in $(seq 1 200); do
		[ "$(store_sums "$2" 2>/dev/null)" = "$(local_sums "$1")" ] && return 0
		sleep 0.1
	done
	return 1
}
# metric NAME: its value in the metrics file.
metric() { sed -n "s/^$1 //p" "$tmp/ship.prom"; }
# more N: N more flushes of node-a's, each a new row and a grown one.
more() {
	for i in $(seq 1 "$1"); do
		sqlite3 "$db" "INSERT INTO edge (bucket, client_ip, server_ip, server_port, protocol, first_seen, last_seen, connections)
			VALUES (1795420800 + 60 * $i + 60 * ${2:-0}, '10.244.1.11', '10.244.1.10', 8080, 6, 1795420801, 1795420802, $i);
			UPDATE edge SET connections = connections + 1 WHERE bucket = 1795420800 AND server_port = 8080 AND client_ip = '10.244.1.11'"
	done
}

t_case "--interval without --follow"
t_run 2 "$POLICYGEN" ship --db "$db" --to "$PG_URI" --node-name node-a --interval 5s
t_match "$t_err" "*--interval and --metrics-file go with --follow*"

t_case "--follow ships what is there, then what is written"
"$POLICYGEN" ship --follow --interval 1s --db "$db" --to "$PG_URI" --node-name node-a \
	--metrics-file "$tmp/ship.prom" 2>"$tmp/ship.log" &
shipper=$!
t_check "the first pass did not catch up" caught_up "$db" node-a
more 5
t_check "the new rows did not arrive" caught_up "$db" node-a
sleep 1.5
t_equal "$(metric podflow_ship_up)" 1
t_equal "$(metric podflow_ship_failures_total)" 0
t_check "no rows in the metrics: $(metric podflow_ship_rows_total)" [ "$(metric podflow_ship_rows_total)" -ge 20 ]

t_case "the server stopped: the rows wait in the node's file, the outage is logged once"
pg_ctl -m fast stop
more 4 10
sleep 6
t_check "the shipper stopped: $(cat "$tmp/ship.log")" kill -0 "$shipper"
t_equal "$(grep -c 'trying again' "$tmp/ship.log")" 1
t_equal "$(metric podflow_ship_up)" 0
t_check "fewer than 3 failures: $(metric podflow_ship_failures_total)" [ "$(metric podflow_ship_failures_total)" -ge 3 ]

t_case "the server back: the shipper catches up, once, and says so"
pg_ctl -l "$tmp/pg/server.log" -o "-k $tmp/pg/sock -c listen_addresses=''" -w start
t_check "it did not catch up: $(cat "$tmp/ship.log")" caught_up "$db" node-a
sleep 1.5
latest=$(sqlite3 -readonly "$db" "SELECT max(seq) FROM change_log")
t_match "$(cat "$tmp/ship.log")" "*shipping again after * s and * failed attempts; node node-a's rows are there up to flush $latest*"
t_equal "$(metric podflow_ship_up)" 1
t_equal "$(pg "SELECT failures >= 3 AND lag = 0 FROM ship_state WHERE node = 'node-a'")" t
t_run 0 "$POLICYGEN" info --db "$PG_URI"
t_match "$t_out" "*node-a: up to flush $latest, * rows, last *, 0 behind, * failed attempts*"

t_case "SIGTERM stops it cleanly"
kill -TERM "$shipper"
wait "$shipper"
t_equal "$?" 0
shipper=
t_match "$(tail -1 "$tmp/ship.log")" "policygen ship: stopped; * rows shipped in * batches"

t_case "a replaced database is refused, exit 2, not retried"
cp "$db" "$tmp/other.db"
sqlite3 "$tmp/other.db" "UPDATE meta SET value = 'another' WHERE key = 'database_id'"
t_run 2 timeout 20 "$POLICYGEN" ship --follow --interval 1s --db "$tmp/other.db" --to "$PG_URI" --node-name node-a
t_match "$t_err" "*node node-a was shipped from another database*"

# A node with 60,000 rows in 200 flushes: batches of seconds, long enough
# to be killed in the middle of one.
big=$tmp/big.db
"$PFMKDB" "$big" fill 200 300 1795420800 >/dev/null || t_fail "fill" "pfmkdb failed"
mark_of() { pg "SELECT coalesce(max(shipped_seq), -1) FROM ship_state WHERE node = '$1'"; }
for attempt in 1 2 3; do
	t_case "SIGKILL in the middle of a batch, then a restart: nothing lost, nothing twice ($attempt)"
	before=$(mark_of big)
	"$POLICYGEN" ship --follow --interval 1s --db "$big" --to "$PG_URI" --node-name big 2>>"$tmp/big.log" &
	shipper=$!
	# Killed as soon as a batch is in: the next one is under way.
	for _ in $(seq 1 400); do
		[ "$(mark_of big)" != "$before" ] && break
		sleep 0.02
	done
	kill -9 "$shipper"
	wait "$shipper" 2>/dev/null
	shipper=
	mark=$(mark_of big)
	t_check "no batch was shipped before the kill: $mark" [ "$mark" != "$before" ]
	t_check "the kill came after the last batch: $mark" [ "$mark" -lt 200 ]
	t_check "the mark is a batch's end: $mark" [ $(((mark + 1) % 60)) -eq 0 ]
	# What the store holds is whole batches: every row of the flushes up to the mark.
	t_equal "$(store_sums big)" "$(sqlite3 -readonly "$big" "SELECT count(*) || ' ' || coalesce(sum(connections), 0) FROM edge_raw WHERE changed <= $mark")"
done
t_case "after the kills, a run to the end: the totals are the node's"
t_run 0 "$POLICYGEN" ship --db "$big" --to "$PG_URI" --node-name big
t_equal "$(store_sums big)" "$(local_sums "$big")"
t_equal "$(pg "SELECT shipped_seq FROM ship_state WHERE node = 'big'")" 200

t_done
