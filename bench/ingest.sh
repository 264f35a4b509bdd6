#!/bin/bash
# Ingest benchmark: floods of new flows between two pod namespaces,
# received in turn by a bare libmnl loop (the floor), `conntrack -E` and
# podflowd, on the same load.
#
#   bash bench/ingest.sh [FLOWS [RUNS [udp|tcp]]]   one case (200000 3 udp)
#   bash bench/ingest.sh --all [RUNS]                the matrix: udp 200000,
#                                                    udp 1000000, tcp 200000,
#                                                    tcp 1000000 (3 runs)
#   make bench BENCH_ARGS="..."                      as root
#
# With no arguments it runs the matrix.  Prints a line per receiver and
# run, then per case markdown tables.
#
# The cases:
# - udp: `pftraffic flood`, one datagram per flow.  Flows live 120 s (the
#   node's nf_conntrack_udp_timeout), so at 200,000 flows the table holds
#   them all, and at 1,000,000 it fills (nf_conntrack_max is global and is
#   left as it is) and the kernel evicts, a DESTROY event each.
# - tcp: `pftraffic flood-tcp` to `pftraffic sink`: each flow a full
#   handshake, then closed with a reset (SO_LINGER 0); the kernel ends each
#   entry 10 s later (nf_conntrack_tcp_timeout_close), a DESTROY each, and
#   the receiver listens until the table is empty again.
#
# The node namespace's conntrack is set as systemd/podflowd.sysctl sets a
# node's (timestamps, events for every entry, byte counts).
#
# Receivers, each subscribed to NEW and DESTROY with a 64 MiB receive
# buffer (podflowd's default; the kernel reports twice that):
# - the floor, `bench/bare_recv.c`: a libmnl loop that only counts
#   messages;
# - `conntrack -E -e NEW,DESTROY -b BYTES`, writing to a file (conntrack-
#   tools 1.4.7 applies -b to its request socket, not to its event socket:
#   the "socket buffer" column shows what its event socket really had);
# - podflowd.
#
# Each run, per receiver: the node's table is flushed (conntrack -F in the
# node namespace only: no receiver listens then, so no event is sent) and
# waited for until empty; the receiver starts; the flood; the receiver is
# left until its socket's queue is empty and it is idle (and, for tcp,
# until the table is empty too); SIGTERM (each reads what is still queued,
# then exits).  The receivers take turns, run after run, on the same load.
#
# The columns, per case the median over the runs:
# - flood: the generator's rate;
# - kernel new: the kernel's own count of new flows, the nft counter on
#   `ct state new` (one packet per flow; on tcp a SYN sent again before
#   its answer counts again, which shows as "lost");
# - kernel ended: the flows the kernel ended while the receiver listened
#   (a DESTROY each): the table's size before, plus kernel new, minus its
#   size after;
# - NEW / DESTROY received: the messages the receiver saw (podflowd:
#   events_new and events_destroy);
# - recorded: the flows it recorded (podflowd: sum(connections) of
#   flow_edges; the others: NEW messages), and lost, kernel new minus it;
# - ENOBUFS: the loss episodes it was told of; kernel dropped: the
#   messages the kernel dropped for its socket (sk_drops in
#   /proc/net/netlink);
# - socket buffer: its event socket's receive buffer as the kernel counts
#   it (twice what was asked);
# - CPU s: user + sys from /usr/bin/time; CPU µs per flow: that over
#   kernel new; vs floor: that over the floor's;
# - wake-ups: its voluntary context switches; peak RSS.
# Then podflowd's own counters (collector_stats) per run, and per receiver
# and run what the node's conntrack statistics (`conntrack -S`, summed over
# CPUs) moved by from just before the flood to the end of the run: a flow
# counted by the nft rule whose entry the kernel then failed to confirm
# (insert_failed, of them chaintoolong; the packet dropped at postrouting)
# has no event at all, and kernel ended counts it as ended; early_drop
# counts the entries evicted to make room for a new one (a DESTROY each;
# not every eviction: where drop moves, kernel ended is the larger), drop
# the new flows for which no entry could be had (dropped before the rule
# counts them).  The per-run line shows insert_failed as ins_fail.
#
# Pinning (BENCH_PIN=0 to leave it to the scheduler): the generator, the
# server and the kernel's work for their packets on the first CPU, the
# receiver alone on the last.  A kernel without CONFIG_IRQ_TIME_ACCOUNTING
# (this VM's) charges the softirq work that runs while a task is on a CPU
# to that task: unpinned, a receiver pays for part of the flood's packets,
# more the more often it runs.
#
# BENCH_RECEIVERS=podflowd runs the floor and podflowd only (the floor
# always runs: the ratio needs it); BENCH_PERF=DIR records each podflowd run with
# `perf record -e cpu-clock -g` into DIR/podflowd-PROTO-FLOWS-RUN.data
# (perf's own work then shares the load's CPU: a profile, not a figure);
# BENCH_CONFIG="key: value" adds a line to podflowd's configuration.
set -u
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${PODFLOW_BUILD:-$here/../build}
PODFLOWD=$BUILD/podflowd
PFTRAFFIC=$BUILD/tests/pftraffic
BARE=$BUILD/bench/bare_recv
BUFFER=$((64 << 20))
PORT=10000
TCP_PORTS=32
# Entries left in the table that still count as empty.
EMPTY=100
# The longest waits (s): the table to empty, a receiver to drain its queue.
EMPTY_WAIT=120
DRAIN_WAIT=120
# The load on the first CPU, the receiver on the last (see above).
if [ "${BENCH_PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ]; then
	LOAD_ON=(taskset -c 0)
	RECEIVER_ON=(taskset -c $(($(nproc) - 1)))
else
	LOAD_ON=() RECEIVER_ON=()
fi

usage() {
	echo "usage: bash bench/ingest.sh [FLOWS [RUNS [udp|tcp]]] | --all [RUNS]" >&2
	exit 2
}
number() { case $1 in '' | *[!0-9]*) usage ;; esac; }
CASES=()
case "${1:-}" in
--all | "")
	RUNS=${2:-3}
	[ $# -le 2 ] || usage
	CASES=("udp 200000" "udp 1000000" "tcp 200000" "tcp 1000000")
	;;
-*) usage ;;
*)
	[ $# -le 3 ] || usage
	number "$1"
	RUNS=${2:-3}
	case "${3:-udp}" in udp | tcp) ;; *) usage ;; esac
	CASES=("${3:-udp} $1")
	;;
esac
number "$RUNS"
RECEIVERS=${BENCH_RECEIVERS:-conntrack podflowd}
[ "$RUNS" -ge 1 ] || usage

[ "$(id -u)" -eq 0 ] || { echo "bench: run as root" >&2; exit 1; }
for tool in "$PODFLOWD" "$PFTRAFFIC" "$BARE" /usr/bin/time conntrack sqlite3 ss nft taskset; do
	command -v "$tool" >/dev/null || { echo "bench: missing $tool" >&2; exit 1; }
done

. "$here/../tests/live/testbed.bash"
trap tb_teardown EXIT

A=10.244.1.5 B=10.244.2.7
tb_node && tb_pod a $A && tb_pod b $B || exit 1
# UDP flows outlive a run, so that the table fills at 1,000,000 and a
# resync still finds them.  Only this namespace's timeout:
# nf_conntrack_max is global and stays as it is.
tb_in "$TB_NODE" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=120 || exit 1
# The node's conntrack as podflowd's sysctl.d sets a node's (start
# timestamps, events for every entry, byte counts: what DESTROY events
# carry), in this namespace only.
for kv in $(sed -n 's/^\(net\.netfilter\.[a-z_]*\) *= *\([0-9]*\)$/\1=\2/p' \
	"$here/../systemd/podflowd.sysctl"); do
	tb_in "$TB_NODE" sysctl -qw "$kv" || exit 1
done
ip netns exec "$TB_PREFIX-b" "${LOAD_ON[@]}" "$PFTRAFFIC" sink $B $PORT $TCP_PORTS &
TB_PIDS+=($!)
tb_listening "$TB_PREFIX-b" tcp $PORT || { echo "bench: no TCP sink" >&2; exit 1; }

cat >"$TB_TMP/podflowd.yaml" <<YAML
pod_cidrs: [$TB_POD_CIDR4]
netlink_buffer_bytes: $BUFFER
stats_interval_seconds: 0
${BENCH_CONFIG:-}
YAML

ct_count() { tb_in "$TB_NODE" cat /proc/sys/net/netfilter/nf_conntrack_count; }

# The node's conntrack statistics that the tables show, in this order.
CT_STATS="insert_failed chaintoolong clash_resolve drop early_drop search_restart error invalid"

# The node's conntrack statistics (`conntrack -S`), summed over CPUs, as
# values in CT_STATS order ("-" for one this conntrack does not print).
ct_stats() {
	tb_in "$TB_NODE" conntrack -S 2>/dev/null | awk -v names="$CT_STATS" '
		{ for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2 && kv[2] ~ /^[0-9]+$/) sum[kv[1]] += kv[2] }
		END {
			n = split(names, name, " ")
			for (i = 1; i <= n; i++) printf "%s%s", (name[i] in sum ? sum[name[i]] : "-"), (i < n ? " " : "\n")
		}'
}

# ct_delta BEFORE AFTER: what each of ct_stats' values moved by.
ct_delta() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= n; i++) printf "%s%s", (x[i] == "-" || y[i] == "-" ? "-" : y[i] - x[i]), (i < n ? " " : "\n")
	}'
}

# Flushes the node's table and waits until it is empty.
empty_table() {
	local n
	tb_in "$TB_NODE" conntrack -F >/dev/null 2>&1
	for _ in $(seq $((EMPTY_WAIT * 10))); do
		n=$(ct_count)
		[ "$n" -le "$EMPTY" ] && return 0
		sleep 0.1
		tb_in "$TB_NODE" conntrack -F >/dev/null 2>&1
	done
	echo "bench: the node's table still holds $n entries" >&2
}

# The node's conntrack event subscriber (NEW and DESTROY: groups 0x5), as
# "QUEUED_BYTES DROPPED_MESSAGES", read in the namespace of process $1;
# nothing while there is none.
subscriber() {
	awk '$2 == 12 && $4 == "00000005" { print $5, $9; exit }' "/proc/$1/net/netlink" 2>/dev/null
}

# The receive buffer of the subscriber, in bytes, as the kernel counts it.
subscriber_rcvbuf() {
	tb_in "$TB_NODE" ss -f netlink -e -m 2>/dev/null |
		sed -n 's/.*groups=0x00000005.*skmem:(r[0-9]*,rb\([0-9]*\),.*/\1/p' | head -1
}

# Process $1's CPU time so far, in clock ticks.
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# Waits (up to DRAIN_WAIT) until process $1 is done: its subscription's
# queue empty and its CPU time still (a tick at most) twice in a row.
drained() {
	local q t last=-1 idle=0
	for _ in $(seq $((DRAIN_WAIT * 5))); do
		read -r q _ <<<"$(subscriber "$1")"
		t=$(ticks "$1")
		[ "${q:-0}" -eq 0 ] && [ "$last" -ge 0 ] && [ $((t - last)) -le 1 ] &&
			idle=$((idle + 1)) || idle=0
		[ $idle -ge 2 ] && return 0
		last=$t
		sleep 0.2
	done
	echo "bench: the receiver did not drain its queue in $DRAIN_WAIT s" >&2
}

# run_receiver NAME CMD...: runs a receiver under /usr/bin/time in the
# node namespace on one flood of $FLOWS $PROTO flows.  Sets: sent rate
# failed kernel ended drops rcvbuf wakeups cpu rss, and ctdelta (ct_delta
# over the flood and the drain).
run_receiver() {
	local name=$1 out=$TB_TMP/$1.out err=$TB_TMP/$1.err pid rpid= count0 before flood stats0 perf_pid
	shift
	empty_table
	ip netns exec "$TB_NODE" "${RECEIVER_ON[@]}" /usr/bin/time -f '%U %S %M' -o "$TB_TMP/time" \
		"$@" >"$out" 2>"$err" &
	pid=$!
	# /usr/bin/time's child is the receiver (ip netns exec and taskset
	# exec what they run).
	for _ in $(seq 200); do
		read -r rpid _ <"/proc/$pid/task/$pid/children" 2>/dev/null
		[ -n "$rpid" ] && [ -n "$(subscriber "$rpid")" ] &&
			{ [ "$name" != podflowd ] || grep -q 'recording to' "$err"; } && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if [ -z "$rpid" ] || [ -z "$(subscriber "$rpid")" ]; then
		echo "bench: $name did not start:" >&2
		cat "$err" >&2
		exit 1
	fi
	rcvbuf=$(subscriber_rcvbuf)
	perf_pid=
	if [ -n "${BENCH_PERF:-}" ] && [ "$name" = podflowd ]; then
		mkdir -p "$BENCH_PERF"
		perf record -q -e cpu-clock ${BENCH_PERF_ARGS:--g} -p "$rpid" \
			-o "$BENCH_PERF/podflowd-$PROTO-$FLOWS-$run.data" 2>/dev/null &
		perf_pid=$!
		sleep 1
	fi
	count0=$(ct_count)
	before=$(tb_new_connections)
	stats0=$(ct_stats)
	if [ "$PROTO" = udp ]; then
		flood=$(tb_in "$TB_PREFIX-a" "${LOAD_ON[@]}" "$PFTRAFFIC" flood $B $PORT "$FLOWS")
	else
		flood=$(tb_in "$TB_PREFIX-a" "${LOAD_ON[@]}" "$PFTRAFFIC" flood-tcp $B $PORT "$FLOWS" $TCP_PORTS)
	fi
	sent=$(sed -n 's/^[a-z]* \([0-9]*\) flows.*/\1/p' <<<"$flood")
	rate=$(sed -n 's/.*(\([0-9]*\) flows\/s).*/\1/p' <<<"$flood")
	failed=$(sed -n 's/.*, \([0-9]*\) failed.*/\1/p' <<<"$flood")
	failed=${failed:-0}
	if [ "$PROTO" = tcp ]; then
		# Every entry ended by the kernel, each a DESTROY.
		for _ in $(seq $((EMPTY_WAIT * 5))); do
			[ "$(ct_count)" -le "$EMPTY" ] && break
			sleep 0.2
		done
		[ "$(ct_count)" -le "$EMPTY" ] ||
			echo "bench: $(ct_count) entries not ended after $EMPTY_WAIT s" >&2
	fi
	drained "$rpid"
	kernel=$(($(tb_new_connections) - before))
	ended=$((count0 + kernel - $(ct_count)))
	ctdelta=$(ct_delta "$stats0" "$(ct_stats)")
	read -r _ drops <<<"$(subscriber "$rpid")"
	wakeups=$(awk '$1 == "voluntary_ctxt_switches:" { print $2 }' "/proc/$rpid/status" 2>/dev/null)
	if [ -n "$perf_pid" ]; then
		kill -INT "$perf_pid"
		wait "$perf_pid"
	fi
	if ! kill -TERM "$rpid" 2>/dev/null; then
		echo "bench: $name exited before the end of the run:" >&2
		cat "$err" >&2
		exit 1
	fi
	wait "$pid"
	read -r user sys rss < <(tail -1 "$TB_TMP/time")
	cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
}

# record RECEIVER NEW DESTROY RECORDED ENOBUFS: one result line, and
# one of the node's conntrack statistics.
record() {
	local per=$(awk -v c="$cpu" -v n="$kernel" 'BEGIN { printf "%.3f", n ? c * 1e6 / n : 0 }')
	echo "$PROTO $FLOWS $1 $run $kernel $ended $2 $3 $ctdelta" >>"$TB_TMP/ct-stats"
	echo "$PROTO $FLOWS $1 $run $sent $failed $rate $kernel $ended $2 $3 $4 $((kernel - $4)) $5 ${drops:-0} ${rcvbuf:-0} $cpu $per $rss ${wakeups:-0} ${ctdelta%% *}" |
		tee -a "$TB_TMP/results" | awk '{ printf "  %-4s %8s %-10s %3s", $1, $2, $3, $4; for (i = 5; i <= NF; i++) printf " %9s", $i; print "" }'
}

# receiver NAME: whether this invocation runs NAME (BENCH_RECEIVERS).
receiver() { case " $RECEIVERS " in *" $1 "*) return 0 ;; esac; return 1; }

query() { sqlite3 -readonly "$TB_TMP/podflow.db" "$1"; }
counter() { query "SELECT coalesce((SELECT value FROM collector_stats WHERE name = '$1'), 0)"; }

# Result columns: proto flows receiver run sent failed rate kernel ended
# new destroy recorded lost enobufs drops rcvbuf cpu cpu_us_per_flow rss
# wakeups insert_failed.
col() {
	awk -v p="$PROTO" -v f="$FLOWS" -v r="$1" -v c="$2" \
		'$1 == p && $2 == f && $3 == r { print $c }' "$TB_TMP/results" | median
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# An awk function: 1234567 as 1,234,567.
COMMAS='
	function commas(n,   s, neg) {
		neg = n < 0; if (neg) n = -n
		s = sprintf("%d", n)
		while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]([,]|$)/, ",&", s)
		return (neg ? "-" : "") s
	}'

# The markdown tables of one case: medians per receiver, podflowd's
# counters per run.
report() {
	local floor=$(col bare 18)
	echo
	echo "### $PROTO, $FLOWS flows per run, medians over $RUNS runs (load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)"
	echo
	echo "| receiver | flood (flows/s) | kernel new | kernel ended | NEW received | DESTROY received | recorded | lost | ENOBUFS | kernel dropped | socket buffer | CPU s | CPU µs per flow | vs floor | wake-ups | peak RSS |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for r in bare $RECEIVERS; do
		local label=$r
		case $r in
		bare) label="floor: bare libmnl loop" ;;
		conntrack) label='`conntrack -E -e NEW,DESTROY`' ;;
		esac
		echo "$label $(col $r 7) $(col $r 8) $(col $r 9) $(col $r 10) $(col $r 11) $(col $r 12) $(col $r 13) $(col $r 14) $(col $r 15) $(col $r 16) $(col $r 17) $(col $r 18) $floor $(col $r 20) $(col $r 19)"
	done | awk "$COMMAS"'
		function size(b) { return b >= 1048576 ? sprintf("%.0f MiB", b / 1048576) : sprintf("%.0f KiB", b / 1024) }
		{
			n = NF; label = $1; for (i = 2; i <= n - 15; i++) label = label " " $i
			o = n - 15
			lost = $(o + 7); kernel = $(o + 2)
			pct = kernel > 0 ? sprintf(" (%.1f %%)", lost * 100 / kernel) : ""
			ratio = $(o + 13) > 0 ? $(o + 12) / $(o + 13) : 0
			printf "| %s | %s | %s | %s | %s | %s | %s | %s%s | %s | %s | %s | %.2f | %.2f | %.2fx | %s | %.1f MiB |\n",
				label, commas($(o + 1)), commas(kernel), commas($(o + 3)), commas($(o + 4)),
				commas($(o + 5)), commas($(o + 6)), commas(lost), pct, commas($(o + 8)),
				commas($(o + 9)), size($(o + 10)), $(o + 11), $(o + 12),
				ratio, commas($(o + 14)), $(o + 15) / 1024
		}'
	echo
	echo "podflowd's counters (\`collector_stats\`) and \`SELECT sum(connections) FROM flow_edges\`, per run:"
	echo
	echo "| run | kernel new | sum(connections) | events_new | events_destroy | enobufs | resyncs | untracked | duplicates | flushes | edges_flushed | flush_usec_max |"
	echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	awk -v p="$PROTO" -v f="$FLOWS" "$COMMAS"'
		$1 == p && $2 == f {
			for (i = 3; i <= NF; i++) printf "| %s ", commas($i)
			print "|"
		}' "$TB_TMP/podflowd-counters"
	echo
	echo "The node's conntrack statistics (\`conntrack -S\`, summed over CPUs), what they moved by in each receiver's run; NEW missing: kernel new minus NEW received:"
	echo
	printf '| run | receiver | kernel new | NEW received | NEW missing | kernel ended | DESTROY received |'
	printf ' %s |' $CT_STATS
	echo
	printf '| ---: | --- |%s\n' "$(printf ' ---: |%.0s' $(seq $((5 + $(wc -w <<<"$CT_STATS")))))"
	awk -v p="$PROTO" -v f="$FLOWS" "$COMMAS"'
		$1 == p && $2 == f {
			printf "| %s | %s | %s | %s | %s | %s | %s ", $4, $3, commas($5), commas($7), commas($5 - $7), commas($6), commas($8)
			for (i = 9; i <= NF; i++) printf "| %s ", $i == "-" ? "-" : commas($i)
			print "|"
		}' "$TB_TMP/ct-stats"
	echo
}

echo "CPU: $(nproc) x $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)," \
	"nf_conntrack_max $(cat /proc/sys/net/netfilter/nf_conntrack_max) (global, unchanged), runs: $RUNS," \
	"$([ ${#RECEIVER_ON[@]} -gt 0 ] && echo "load on CPU 0, receiver on CPU ${RECEIVER_ON[2]}" || echo "not pinned")"
for c in "${CASES[@]}"; do
	read -r PROTO FLOWS <<<"$c"
	echo
	echo "$PROTO, $FLOWS flows per run (load average $(cut -d' ' -f1-3 /proc/loadavg) at the start):"
	printf '  %-4s %8s %-10s %3s' proto flows receiver run
	printf ' %9s' sent failed rate/s kernel ended new destroy recorded lost enobufs dropped rcvbuf cpu_s us/flow rss_KiB wakeups ins_fail
	echo
	for run in $(seq "$RUNS"); do
		run_receiver bare "$BARE" "$BUFFER"
		read -r _ new _ destroy _ _ _ enobufs _ <"$TB_TMP/bare.out"
		record bare "$new" "$destroy" "$new" "$enobufs"

		if receiver conntrack; then
			run_receiver conntrack conntrack -E -e NEW,DESTROY -b "$BUFFER"
			new=$(grep -c '\[NEW\]' "$TB_TMP/conntrack.out")
			destroy=$(grep -c '\[DESTROY\]' "$TB_TMP/conntrack.out")
			enobufs=$(grep -c ENOBUFS "$TB_TMP/conntrack.err")
			rm -f "$TB_TMP/conntrack.out"
			record conntrack "$new" "$destroy" "$new" "$enobufs"
		fi
		receiver podflowd || continue
		rm -f "$TB_TMP/podflow.db"*
		run_receiver podflowd "$PODFLOWD" --config "$TB_TMP/podflowd.yaml" --db "$TB_TMP/podflow.db"
		got=$(query 'SELECT coalesce(sum(connections), 0) FROM flow_edges')
		record podflowd "$(counter events_new)" "$(counter events_destroy)" "$got" "$(counter enobufs)"
		echo "$PROTO $FLOWS $run $kernel $got $(counter events_new) $(counter events_destroy)" \
			"$(counter enobufs) $(counter resyncs) $(counter untracked) $(counter duplicates)" \
			"$(counter flushes) $(counter edges_flushed) $(counter flush_usec_max)" \
			>>"$TB_TMP/podflowd-counters"
	done
	report | tee -a "$TB_TMP/report"
done
if [ ${#CASES[@]} -gt 1 ]; then
	echo
	echo "All cases:"
	cat "$TB_TMP/report"
fi
