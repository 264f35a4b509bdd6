#!/bin/bash
# policygen over more than a day: a week of the bench day's cluster in one
# database, and the day as 20 nodes recorded it, in 20 files.
#
#   bash bench/scale.sh [RUNS] [DIR]
#
# DIR (default: a temporary directory) keeps the databases between runs:
# those already there are used as they are.  Made as podflowd and the
# import would have made them (bench/pffill, `policygen import`, and
# podflowd's hourly upkeep through tests/tools/pfmkdb):
#
# - day.db: the day (2026-11-23), as bench/generate.sh makes it;
# - week.db: seven such days (Monday to Monday), resolved, so summed as a
#   week too, the raw rows of all but the last two pruned as podflowd's
#   raw_retention_hours (48) would have;
# - days.db: week.db with the week's sum taken away, read from its seven
#   days, as any window of seven days that straddles a Monday is;
# - node-00.db ... node-19.db: each node's share of the day (the
#   connections of its pods, as client or server), each with the inventory
#   imported, as the podflow-inventory timer does on every node.
#
# Times generate on day.db, week.db, days.db and the 20 node files at once
# (--db repeated), and check (of the policies generate wrote for each),
# flows, workloads and review list on the day and on the weeks, RUNS times
# each,
# with sqlite3 counting day.db's raw rows as the reference; prints
# medians, peak RSS, and each as a multiple of the reference and of the
# same command's on the day.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_setup scale "${1:-3}"
dir=${2:-$tmp}
mkdir -p "$dir"
D0=2026-11-23T00:00:00Z
t0=$(date -u -d "$D0" +%s)
at() { date -u -d "@$((t0 + $1 * 86400))" +%Y-%m-%dT%H:%M:%SZ; }
cluster=$dir/cluster.json
[ -e "$cluster" ] || /usr/bin/python3 "$here/gen_cluster.py" 5000 >"$cluster" || exit 1

# make DB DAYS [NODE]: the days from D0 on, resolved at their end.
make_db() {
	[ -e "$1" ] && return 0
	"$BUILD/policygen" import --db "$1" --at "$D0" "$cluster" >/dev/null &&
		"$BUILD/bench/pffill" "$1" "$t0" "$2" ${3:+"$3"} >/dev/null &&
		"$BUILD/policygen" import --db "$1" --at "$(at "$2")" "$cluster" \
			>/dev/null || { rm -f "$1"; exit 1; }
}
make_db "$dir/day.db" 1
if [ ! -e "$dir/week.db" ]; then
	make_db "$dir/week.db" 7
	"$BUILD/tests/pfmkdb" "$dir/week.db" prune $((t0 + 5 * 86400)) 0 \
		>/dev/null || exit 1
fi
if [ ! -e "$dir/days.db" ]; then
	cp "$dir/week.db" "$dir/days.db" &&
		sqlite3 "$dir/days.db" "DELETE FROM edge_week;
			DELETE FROM edge_week_done; VACUUM" || exit 1
fi
nodes=()
for n in $(seq 0 19); do
	f=$(printf '%s/node-%02d.db' "$dir" "$n")
	make_db "$f" 1 "$n"
	nodes+=(--db "$f")
done
for f in day week days node-00; do
	echo "$f.db: $(sqlite3 -readonly "$dir/$f.db" 'SELECT count(*) FROM edge') raw rows," \
		"$(sqlite3 -readonly "$dir/$f.db" 'SELECT count(*) FROM edge_day') resolved," \
		"$(sqlite3 -readonly "$dir/$f.db" 'SELECT count(*) FROM edge_week') summed by week," \
		"$(du -k "$dir/$f.db" | cut -f1) KiB"
done

"$BUILD/policygen" generate --db "$dir/day.db" --now "$(at 1)" \
	>"$tmp/policies-day.yaml" 2>/dev/null || exit 1
"$BUILD/policygen" generate --db "$dir/week.db" --now "$(at 7)" \
	>"$tmp/policies-week.yaml" 2>/dev/null || exit 1
# each NAME DAY-ARGS -- WEEK-ARGS: policygen on the day, then on the week
# and on its days.
each() {
	local name=$1 day=() week=()

	shift
	while [ "$1" != -- ]; do day+=("$1"); shift; done
	shift
	week=("$@")
	timed "day-$name" "$BUILD/policygen" "${day[@]}" --db "$dir/day.db"
	timed "week-$name" "$BUILD/policygen" "${week[@]}" --db "$dir/week.db"
	timed "days-$name" "$BUILD/policygen" "${week[@]}" --db "$dir/days.db"
}
for i in $(seq "$RUNS"); do
	timed count sqlite3 -readonly "$dir/day.db" "SELECT count(*) FROM flow_edge_buckets"
	each generate generate --now "$(at 1)" -- generate --now "$(at 7)"
	timed nodes "$BUILD/policygen" generate "${nodes[@]}" --now "$(at 1)"
	each check check -f "$tmp/policies-day.yaml" -- \
		check -f "$tmp/policies-week.yaml"
	each flows flows --since "$D0" -- flows --since "$D0"
	each workloads workloads -- workloads
	each review review list --since "$D0" -- review list --since "$D0"
done
# The 20 files' policies are the one file's, byte for byte.
for name in day-generate nodes; do
	echo "$name: sha256 $(sha256sum <"$tmp/$name.out" | cut -c1-16)"
done
# The week reads the same through its sum as through its days.
for name in generate check flows workloads review; do
	cmp -s "$tmp/week-$name.out" "$tmp/days-$name.out" ||
		echo "$name: the week and its days differ"
done
ref_name=count base_name=day-generate report count day-generate \
	week-generate days-generate nodes
for name in check flows workloads review; do
	ref_name=count base_name=day-$name report "day-$name" "week-$name" \
		"days-$name"
done
