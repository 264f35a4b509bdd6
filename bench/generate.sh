#!/bin/bash
# policygen's readers on a large database, against a raw scan of the same
# file: a day of a 5,000-pod cluster, about a million raw edge rows.
#
#   bash bench/generate.sh [RUNS] [DB]
#
# Without DB, or when DB does not exist yet, the day is made first (at DB,
# or in a temporary directory) as podflowd and the hourly import would
# have made it, by the build being measured: bench/gen_cluster.py 5000,
# `policygen import` at the day's start, bench/pffill (the store's own
# writes, store_flush_edges()), and `policygen import` again at its end,
# which resolves the day.  An existing DB is used as it is; the commands
# measured only read it, so they never migrate or resolve it.
#
# Each run times, in turn, the reference (sqlite3 counting the rows of
# flow_edge_buckets: every raw row of the day, named), the raw table's
# count (edge_raw, the rows by id) and generate, workloads,
# check (the day replayed against the policies generate wrote), flows and
# review list; prints wall time and peak RSS per run, the medians, and each
# median as a multiple of the reference's.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_setup generate "${1:-3}"
db=${2:-$tmp/podflow.db}
day=2026-11-23T00:00:00Z
now=2026-11-24T00:00:00Z

if [ ! -e "$db" ]; then
	/usr/bin/python3 "$here/gen_cluster.py" 5000 >"$tmp/cluster.json" || exit 1
	"$BUILD/policygen" import --db "$db" --at "$day" "$tmp/cluster.json" \
		>/dev/null || exit 1
	"$BUILD/bench/pffill" "$db" "$(date -u -d "$day" +%s)" 1 || exit 1
	"$BUILD/policygen" import --db "$db" --at "$now" "$tmp/cluster.json" \
		>/dev/null || exit 1
fi
q() { sqlite3 -readonly "$db" "$1"; }
echo "database: $(q 'SELECT count(*) FROM edge') raw edge rows," \
	"$(q 'SELECT count(*) FROM edge_day') resolved," \
	"$(q 'SELECT count(*) FROM pod') pods, schema $(q 'PRAGMA user_version')," \
	"$(du -k "$db" | cut -f1) KiB"

"$BUILD/policygen" generate --db "$db" --now "$now" >"$tmp/policies.yaml" \
	2>/dev/null || exit 1
for i in $(seq "$RUNS"); do
	timed count sqlite3 -readonly "$db" "SELECT count(*) FROM flow_edge_buckets"
	timed raw sqlite3 -readonly "$db" "SELECT count(*) FROM edge_raw"
	timed generate "$BUILD/policygen" generate --db "$db" --now "$now"
	timed workloads "$BUILD/policygen" workloads --db "$db" --now "$now"
	timed check "$BUILD/policygen" check --db "$db" -f "$tmp/policies.yaml"
	timed flows "$BUILD/policygen" flows --db "$db" --since "$day"
	timed review "$BUILD/policygen" review list --db "$db" --since "$day"
done
for name in generate workloads check flows review; do
	echo "$name: $(wc -l <"$tmp/$name.out") lines, sha256 $(sha256sum <"$tmp/$name.out" | cut -c1-16)"
done
tail -1 "$tmp/check.out"
ref_name=count base_name=raw
report count raw generate workloads check flows review
