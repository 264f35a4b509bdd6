#!/bin/bash
# policygen ship into a PostgreSQL server of the bench's own, against the
# floor of writing as many rows there: psql's \copy of the same rows,
# their addresses as text, into a table of the same columns.
#
#   bash bench/ship.sh [RUNS] [HOURS]
#
# A day of a 5,000-pod cluster (bench/gen_cluster.py 5000, `policygen
# import`, bench/pffill, as bench/generate.sh makes it), of which the first
# HOURS (default 6) are kept: its raw rows are what a node that joins
# ships first.  Each run ships them into a new database and copies them
# into another; prints rows, the medians, and ship as a multiple of copy.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/../tests/lib.sh"
bench_setup ship "${1:-3}"
hours=${2:-6}
POLICYGEN=$BUILD/policygen
day=2026-11-23T00:00:00Z
start=$(date -u -d "$day" +%s)

t_pg_start || { echo "bench/ship.sh: no PostgreSQL server (make deps)" >&2; exit 1; }
db=$tmp/node.db
/usr/bin/python3 "$here/gen_cluster.py" 5000 >"$tmp/cluster.json" &&
	"$POLICYGEN" import --db "$db" --at "$day" "$tmp/cluster.json" >/dev/null &&
	"$BUILD/bench/pffill" "$db" "$start" 1 >/dev/null || exit 1
sqlite3 "$db" "DELETE FROM edge_raw WHERE bucket >= $start + $hours * 3600;
	DELETE FROM change_log WHERE min_bucket >= $start + $hours * 3600" || exit 1
rows=$(sqlite3 "$db" "SELECT count(*) FROM edge_raw")
sqlite3 -csv "$db" "SELECT bucket, client_ip, server_ip, server_port, protocol,
	service_ip, service_port, client_nat_ip, first_seen, last_seen, last_start,
	connections, orig_bytes, orig_packets, reply_bytes, reply_packets
	FROM edge" >"$tmp/rows.csv" || exit 1
echo "rows: $rows ($hours hours of the day), schema $(sqlite3 "$db" 'PRAGMA user_version')"

for i in $(seq "$RUNS"); do
	psql "$PG_URI" -XAtq -c "CREATE DATABASE ship$i" -c "CREATE DATABASE copy$i" || exit 1
	uri_ship=${PG_URI/\/postgres\?/\/ship$i?}
	uri_copy=${PG_URI/\/postgres\?/\/copy$i?}
	timed ship "$POLICYGEN" ship --db "$db" --to "$uri_ship" --node-name node-1
	psql "$uri_copy" -XAtq -c "CREATE TABLE edge (bucket bigint, client_ip text,
		server_ip text, server_port integer, protocol integer, service_ip text,
		service_port integer, client_nat_ip text, first_seen bigint,
		last_seen bigint, last_start bigint, connections bigint,
		orig_bytes bigint, orig_packets bigint, reply_bytes bigint,
		reply_packets bigint)" || exit 1
	timed copy psql "$uri_copy" -XAtq -c "\\copy edge FROM '$tmp/rows.csv' CSV"
done
ship=$(awk '$1 == "ship" { print $2 }' "$tmp/results" | median)
copy=$(awk '$1 == "copy" { print $2 }' "$tmp/results" | median)
echo "median of $RUNS: ship $ship s, copy $copy s; ship $(awk -v s="$ship" -v c="$copy" 'BEGIN { printf "%.1f", s / c }')x copy, $(awk -v s="$ship" -v r="$rows" 'BEGIN { printf "%d", r / s }') rows/s"
