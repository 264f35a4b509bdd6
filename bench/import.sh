#!/bin/bash
# Inventory import benchmark: `policygen import` of a synthetic cluster in
# kubectl's JSON shape (bench/gen_cluster.py), into a new database and
# again over the previous snapshot.  Prints wall time and peak RSS per run
# and their medians.
#
#   bash bench/import.sh [PODS] [RUNS]
set -u
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${PODFLOW_BUILD:-$here/../build}
PODS=${1:-5000}
RUNS=${2:-5}
tmp=$(mktemp -d /tmp/podflow-bench-import.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 "$here/gen_cluster.py" "$PODS" >"$tmp/cluster.json" || exit 1
echo "input: $PODS pods, $(grep -c '"kind": ' "$tmp/cluster.json") objects, $(wc -c <"$tmp/cluster.json") bytes of JSON"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for run in $(seq "$RUNS"); do
	rm -f "$tmp/db"*
	for phase in new again; do
		/usr/bin/time -f '%e %M' -o "$tmp/time" "$BUILD/policygen" import \
			--db "$tmp/db" "$tmp/cluster.json" >/dev/null || exit 1
		read -r secs rss <"$tmp/time"
		echo "$phase $run $secs $rss" | tee -a "$tmp/results"
	done
done
for phase in new again; do
	echo "median ($phase database): $(awk -v p=$phase '$1 == p { print $3 }' "$tmp/results" | median) s," \
		"peak RSS $(awk -v p=$phase '$1 == p { print $4 }' "$tmp/results" | median) KiB"
done
