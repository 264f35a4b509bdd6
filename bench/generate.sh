#!/bin/bash
# policygen on a large database: a day of a 5,000-pod cluster, about a
# million edge rows (bench/gen_cluster.py, `policygen import`,
# bench/fill_edges.py).  Times `policygen generate` over the whole day,
# `policygen workloads`, and `policygen check` replaying the day against
# the generated policies, and prints wall time and peak RSS per run and
# their medians.
#
#   bash bench/generate.sh [RUNS] [DB]
#
# Without DB, or when DB does not exist yet, the database is made first
# (at DB, or in a temporary directory), by the policygen being measured:
# its schema is that build's.  An existing DB is used as it is; the
# commands measured only read it, so they never migrate it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${PODFLOW_BUILD:-$here/../build}
RUNS=${1:-3}
tmp=$(mktemp -d /tmp/podflow-bench-generate.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
db=${2:-$tmp/podflow.db}
now=2026-11-24T00:00:00Z

if [ ! -e "$db" ]; then
	/usr/bin/python3 "$here/gen_cluster.py" 5000 >"$tmp/cluster.json" || exit 1
	"$BUILD/policygen" import --db "$db" --at 2026-11-23T00:00:00Z \
		"$tmp/cluster.json" >/dev/null || exit 1
	/usr/bin/python3 "$here/fill_edges.py" "$db" || exit 1
fi
echo "database: $(sqlite3 -readonly "$db" 'SELECT count(*) FROM edge') edges," \
	"$(sqlite3 -readonly "$db" 'SELECT count(*) FROM pod') pods," \
	"schema $(sqlite3 -readonly "$db" 'PRAGMA user_version'), $(du -m "$db" | cut -f1) MiB"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# run NAME ARGS...: ARGS, with --db (and --now, but for check), RUNS times.
run() {
	local name=$1 when=(--now "$now")
	shift
	[ "$1" = check ] && when=()
	for i in $(seq "$RUNS"); do
		/usr/bin/time -f '%e %M' -o "$tmp/time" "$BUILD/policygen" "$@" \
			--db "$db" "${when[@]}" >"$tmp/$name.out" 2>"$tmp/$name.err" ||
			{ cat "$tmp/$name.err"; exit 1; }
		read -r secs rss <"$tmp/time"
		echo "$name $i $secs $rss" | tee -a "$tmp/results"
	done
	echo "$name: $(wc -l <"$tmp/$name.out") lines, sha256 $(sha256sum <"$tmp/$name.out" | cut -c1-16)"
}
run generate generate
run workloads workloads
cp "$tmp/generate.out" "$tmp/policies.yaml"
run check check -f "$tmp/policies.yaml"
tail -1 "$tmp/check.out"
for name in generate workloads check; do
	echo "median ($name): $(awk -v n=$name '$1 == n { print $3 }' "$tmp/results" | median) s," \
		"peak RSS $(awk -v n=$name '$1 == n { print $4 }' "$tmp/results" | median) KiB"
done
