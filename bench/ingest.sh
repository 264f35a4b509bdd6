#!/bin/bash
# Ingest benchmark: a flood of new UDP flows between two pod namespaces,
# received in turn by a bare libmnl loop, `conntrack -E -e NEW` and
# podflowd, on the same load.  The kernel's own count of new flows (an nft
# counter on `ct state new`, one packet per flow) is the truth.
#
#   make bench              (as root; or: bash bench/ingest.sh [FLOWS] [RUNS])
#
# Prints one line per run and a table of medians.  Receivers run one after
# another: two cores cannot host the generator and two receivers at once.
set -u
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${PODFLOW_BUILD:-$here/../build}
PODFLOWD=$BUILD/podflowd
PFTRAFFIC=$BUILD/tests/pftraffic
BARE=$BUILD/bench/bare_recv
FLOWS=${1:-200000}
RUNS=${2:-3}
. "$here/../tests/live/testbed.bash"
trap tb_teardown EXIT

[ "$(id -u)" -eq 0 ] || { echo "bench: run as root" >&2; exit 1; }
for tool in "$PODFLOWD" "$PFTRAFFIC" "$BARE" /usr/bin/time conntrack sqlite3; do
	command -v "$tool" >/dev/null || { echo "bench: missing $tool" >&2; exit 1; }
done

A=10.244.1.5 B=10.244.2.7
tb_node && tb_pod a $A && tb_pod b $B || exit 1
# Flows must outlive a run so that a resync can still find them; the table
# is flushed between runs.
tb_in "$TB_NODE" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=120 \
	net.netfilter.nf_conntrack_max=1048576 2>/dev/null ||
	tb_in "$TB_NODE" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=120

cat >"$TB_TMP/podflowd.yaml" <<YAML
pod_cidrs: [$TB_POD_CIDR4]
stats_interval_seconds: 0
YAML

# Runs a receiver under /usr/bin/time in the node namespace, floods, waits
# for it to catch up, stops it.  Sets: sent rate cpu rss kernel.
run_receiver() {
	local name=$1 out=$TB_TMP/$1.out
	shift
	tb_in "$TB_NODE" conntrack -F >/dev/null 2>&1
	ip netns exec "$TB_NODE" /usr/bin/time -f '%U %S %M' -o "$TB_TMP/time" \
		"$@" >"$out" 2>"$TB_TMP/$name.err" &
	local pid=$!
	sleep 0.5
	local before=$(tb_new_connections)
	rate=$(tb_in "$TB_PREFIX-a" "$PFTRAFFIC" flood $B 10000 "$FLOWS" |
		sed -n 's/.*(\([0-9]*\) flows\/s)/\1/p')
	kernel=$(($(tb_new_connections) - before))
	sleep 2
	# /usr/bin/time's child is the receiver (ip netns exec execs it).
	kill -TERM $(cat "/proc/$pid/task/$pid/children")
	wait "$pid"
	read -r user sys rss <"$TB_TMP/time"
	cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
}

# record NAME RECEIVED: one result line.
record() {
	local per=$(awk -v c="$cpu" -v n="$2" 'BEGIN { printf "%.2f", n ? c * 1e6 / n : 0 }')
	echo "$1 $run $rate $kernel $2 $((kernel - $2)) $cpu $per $rss" >>"$TB_TMP/results"
}

query() { sqlite3 -readonly "$TB_TMP/podflow.db" "$1"; }
counter() { query "SELECT value FROM collector_stats WHERE name = '$1'"; }

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "flows per run: $FLOWS, runs: $RUNS, CPU: $(nproc) x $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
printf '%-10s %4s %9s %9s %9s %9s %8s %12s %9s\n' receiver run rate/s kernel received lost cpu_s cpu_s/Mevent rss_KiB
for run in $(seq "$RUNS"); do
	run_receiver bare "$BARE"
	read -r _ got _ enob <"$TB_TMP/bare.out"
	record bare "$got"

	run_receiver conntrack conntrack -E -e NEW -o timestamp
	got=$(grep -c '\[NEW\]' "$TB_TMP/conntrack.out")
	record conntrack "$got"

	rm -f "$TB_TMP/podflow.db"*
	run_receiver podflowd "$PODFLOWD" --config "$TB_TMP/podflowd.yaml" --db "$TB_TMP/podflow.db"
	got=$(counter events_new)
	record podflowd "$got"
	echo "podflowd run $run: recorded connections=$(query 'SELECT coalesce(sum(connections), 0) FROM flow_edges')" \
		"enobufs=$(counter enobufs) edge_rows=$(query 'SELECT count(*) FROM edge')" \
		"db_bytes=$(wc -c <"$TB_TMP/podflow.db")" >>"$TB_TMP/extra"
done
awk '{ printf "  %-10s %4s %9s %9s %9s %9s %8s %12s %9s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' "$TB_TMP/results"
echo
echo "medians over $RUNS runs:"
for r in bare conntrack podflowd; do
	printf '  %-10s %4s' "$r" "-"
	for col in 3 4 5 6 7 8 9; do
		printf ' %9s' "$(awk -v r=$r -v c=$col '$1 == r { print $c }' "$TB_TMP/results" | median)"
	done
	echo
done
echo
cat "$TB_TMP/extra"
