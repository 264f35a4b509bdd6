#!/bin/bash
# The cluster store of 20 nodes, in a PostgreSQL server of the bench's
# own, against the same 20 nodes' SQLite files:
#
#   bash bench/cluster.sh [RUNS] [DAYS]
#
# A 5,000-pod cluster (bench/gen_cluster.py 5000) over DAYS days (default
# 1): each node's file holds what that node's podflowd records of it
# (bench/pffill NODE, 0 to 19).  The 20 shippers ship their whole history
# at once (rows per second into PostgreSQL; the time the last takes is the
# lag a node that joins, or comes back, has); then the inventory is
# imported, and resolved, once into the cluster store and into each file;
# then generate and check run RUNS times on the cluster store and on the
# 20 files (--db each), their outputs the same, their medians a ratio.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/../tests/lib.sh"
bench_setup cluster "${1:-3}"
days=${2:-1}
nodes=20
POLICYGEN=$BUILD/policygen
day=2026-11-23T00:00:00Z
start=$(date -u -d "$day" +%s)
end=$((start + days * 86400))
at=$(date -u -d "@$end" +%Y-%m-%dT%H:%M:%SZ)

t_pg_start || { echo "bench/cluster.sh: no PostgreSQL server (make deps)" >&2; exit 1; }
/usr/bin/python3 "$here/gen_cluster.py" 5000 >"$tmp/cluster.json" || exit 1
files=()
for n in $(seq 0 $((nodes - 1))); do
	db=$tmp/node-$n.db
	# The inventory as each node's timer imported it before its traffic.
	"$POLICYGEN" import --db "$db" --at "$day" "$tmp/cluster.json" >/dev/null &&
		"$BUILD/bench/pffill" "$db" "$start" "$days" "$n" >/dev/null || exit 1
	files+=(--db "$db")
done
rows=0
for n in $(seq 0 $((nodes - 1))); do
	rows=$((rows + $(sqlite3 "$tmp/node-$n.db" "SELECT count(*) FROM edge_raw")))
done
echo "nodes: $nodes, days: $days, raw rows: $rows"

uri=${PG_URI/\/postgres\?/\/cluster?}
psql "$PG_URI" -XAtq -c "CREATE DATABASE cluster" || exit 1
"$POLICYGEN" import --db "$uri" --at "$day" "$tmp/cluster.json" >/dev/null || exit 1
t0=$(date +%s.%N)
for n in $(seq 0 $((nodes - 1))); do
	/usr/bin/time -f '%e' -o "$tmp/ship-$n.time" \
		"$POLICYGEN" ship --db "$tmp/node-$n.db" --to "$uri" --node-name "node-$n" \
		>/dev/null 2>"$tmp/ship-$n.err" &
done
wait
t1=$(date +%s.%N)
for n in $(seq 0 $((nodes - 1))); do
	[ -s "$tmp/ship-$n.err" ] && { cat "$tmp/ship-$n.err"; exit 1; }
done
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
slowest=$(cat "$tmp"/ship-*.time | sort -n | tail -1)
echo "ship, $nodes at once: $wall s for $rows rows, $(awk -v r="$rows" -v w="$wall" 'BEGIN { printf "%d", r / w }') rows/s; the last node done after $slowest s"
stored=$(psql "$uri" -XAtq -c "SELECT count(*) FROM node_edge_raw")
[ "$stored" = "$rows" ] || { echo "bench/cluster.sh: $stored rows in the store, $rows in the files" >&2; exit 1; }

# The inventory at the end of the window: resolution of every node.
timed import_store "$POLICYGEN" import --db "$uri" --at "$at" "$tmp/cluster.json"
t0=$(date +%s.%N)
for n in $(seq 0 $((nodes - 1))); do
	"$POLICYGEN" import --db "$tmp/node-$n.db" --at "$at" "$tmp/cluster.json" >/dev/null || exit 1
done
t1=$(date +%s.%N)
echo "import_files $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') 0" | tee -a "$tmp/results"

now=(--now "$at")
# generate and check say 1 for a partial answer (a flow no policy can
# express, say), which is an answer still.
answer='"$0" "$@"; [ $? -le 1 ]' 
for i in $(seq "$RUNS"); do
	timed generate_files sh -c "$answer" "$POLICYGEN" generate -A "${files[@]}" "${now[@]}"
	timed generate_store sh -c "$answer" "$POLICYGEN" generate -A --db "$uri" "${now[@]}"
	cmp -s "$tmp/generate_files.out" "$tmp/generate_store.out" ||
		{ echo "bench/cluster.sh: generate differs between the files and the store" >&2; exit 1; }
	cp "$tmp/generate_files.out" "$tmp/policies.yaml"
	timed check_files sh -c "$answer" "$POLICYGEN" check -f "$tmp/policies.yaml" "${files[@]}"
	timed check_store sh -c "$answer" "$POLICYGEN" check -f "$tmp/policies.yaml" --db "$uri"
	cmp -s "$tmp/check_files.out" "$tmp/check_store.out" ||
		{ echo "bench/cluster.sh: check differs between the files and the store" >&2; exit 1; }
done
echo "outputs: the same from the store as from the files"
ref_name=generate_files
report generate_files generate_store
ref_name=check_files
report check_files check_store
ref_name=import_files
report import_files import_store
