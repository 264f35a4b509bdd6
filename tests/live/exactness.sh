#!/bin/bash
# podflowd's count against the kernel's where it is hardest to keep: a
# restart with connections open, a crash before any flush, the table
# flushed under it; and with PODFLOW_LONG=1 (once, outside the sanitizer
# pass: it fills the kernel's whole table) lost events at a full table,
# and none with reliable events.
# Needs root (network namespaces, CAP_NET_ADMIN).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/testbed.bash"
trap tb_teardown EXIT

tb_need_root exactness

A=10.244.1.5 B=10.244.2.7
tb_node && tb_pod a $A && tb_pod b $B || { t_fail "testbed" "set-up failed"; exit 1; }
# Start timestamps, so that a dump says when each entry started; UDP flows
# that outlive the test, so that the dumps find them.
tb_in "$TB_NODE" sysctl -qw net.netfilter.nf_conntrack_timestamp=1 \
	net.netfilter.nf_conntrack_udp_timeout=300
tb_serve "$TB_PREFIX-b" tcp 0.0.0.0 9090
sleep 0.3

# A fresh table and database for each case: the flows of the one before
# are not the next one's.
fresh() { tb_in "$TB_NODE" conntrack -F >/dev/null 2>&1; db=$TB_TMP/$1.db; }
# flood PORT FLOWS: that many new UDP flows from a to b, from port PORT on.
flood() { tb_in "$TB_PREFIX-a" "$PFTRAFFIC" flood $B "$1" "$2" >/dev/null; }
# The flows podflowd recorded, and its counter NAME.
recorded() { t_sql "$1" "SELECT coalesce(sum(connections), 0) FROM flow_edges"; }
counter() { t_sql "$1" "SELECT value FROM collector_stats WHERE name = '$2'"; }
# Long enough for podflowd (flush_interval_ms 200) to have read every
# event and flushed with its socket empty: the flush that marks its count.
settle() { sleep 1; }

tb_podflowd_config "$TB_TMP/podflowd.yaml" "flush_interval_ms: 200"

# 1. A restart with 20,000 flows and a TCP connection still open: the
# start-up dump finds them all again, and counts none of them twice; the
# 700 that started while podflowd was down, it counts.
fresh restart
before=$(tb_new_connections)
tb_podflowd_start "$TB_TMP/podflowd.yaml" "$db" || { t_fail "podflowd start" "see log"; exit 1; }
flood 20000 20000
tb_in "$TB_PREFIX-a" "$PFTRAFFIC" connect tcp $B 9090 1 30000 &
held=$!
settle
tb_podflowd_stop || t_fail "restart: SIGTERM exits 0" "status $?"
flood 30000 700
tb_podflowd_start "$TB_TMP/podflowd.yaml" "$db" || { t_fail "podflowd restart" "see log"; exit 1; }
t_case "restart: the start-up dump knows what was counted before"
t_check "$(grep 'recording to' "$TB_TMP/podflowd.log")" grep -Eq \
	'connections already open, [0-9]{5} of them counted before' "$TB_TMP/podflowd.log"
flood 45000 500
settle
tb_podflowd_stop || t_fail "restart: the second SIGTERM exits 0" "status $?"
kill "$held" 2>/dev/null
wait "$held" 2>/dev/null
kernel=$(($(tb_new_connections) - before))
t_case "restart: connections equal the kernel's new ones ($kernel)"
t_check "recorded $(recorded "$db")" [ "$(recorded "$db")" -eq "$kernel" ]
t_case "restart: the second run counted only its own"
t_equal "$(counter "$db" counted_before)" 20001

# 2. Killed before its first flush: nothing of its count reached the
# database, and the next podflowd counts every flow still open.
fresh killed
tb_podflowd_config "$TB_TMP/slow.yaml" "flush_interval_ms: 60000"
before=$(tb_new_connections)
tb_podflowd_start "$TB_TMP/slow.yaml" "$db" || { t_fail "podflowd start (kill)" "see log"; exit 1; }
flood 50000 3000
sleep 0.3
kill -KILL "$TB_PODFLOWD"
wait "$TB_PODFLOWD" 2>/dev/null
tb_podflowd_start "$TB_TMP/podflowd.yaml" "$db" || { t_fail "podflowd start (after kill)" "see log"; exit 1; }
settle
tb_podflowd_stop || t_fail "killed: SIGTERM exits 0" "status $?"
kernel=$(($(tb_new_connections) - before))
t_case "killed before a flush: every open flow counted once ($kernel)"
t_check "recorded $(recorded "$db")" [ "$(recorded "$db")" -eq "$kernel" ]

# 3. The table flushed under podflowd (conntrack -F): every entry's end
# comes at once, and the flows that follow reuse their tuples.
fresh flushed
before=$(tb_new_connections)
tb_podflowd_start "$TB_TMP/podflowd.yaml" "$db" || { t_fail "podflowd start (flush)" "see log"; exit 1; }
flood 20000 5000
tb_in "$TB_NODE" conntrack -F >/dev/null 2>&1
flood 20000 5000
settle
tb_podflowd_stop || t_fail "flushed: SIGTERM exits 0" "status $?"
kernel=$(($(tb_new_connections) - before))
t_case "table flushed under podflowd: connections equal the kernel's ($kernel)"
t_check "recorded $(recorded "$db")" [ "$(recorded "$db")" -eq "$kernel" ]

if [ "${PODFLOW_LONG:-0}" = 1 ]; then
	# 4. Lost events at a full table: a 256 KiB buffer against more new
	# flows than the kernel keeps (nf_conntrack_max, global: filled, never
	# lowered), so that it evicts while podflowd resyncs.
	fresh full
	max=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
	tb_podflowd_config "$TB_TMP/tiny.yaml" "netlink_buffer_bytes: 256K" \
		"flush_interval_ms: 200"
	before=$(tb_new_connections)
	tb_podflowd_start "$TB_TMP/tiny.yaml" "$db" || { t_fail "podflowd start (full)" "see log"; exit 1; }
	flood 10000 $((max + max / 2))
	sleep 5
	tb_podflowd_stop || t_fail "full table: SIGTERM exits 0" "status $?"
	kernel=$(($(tb_new_connections) - before))
	t_case "full table: lost events detected"
	t_check "enobufs $(counter "$db" enobufs)" [ "$(counter "$db" enobufs)" -gt 0 ]
	t_note "($(counter "$db" enobufs) episodes, $(counter "$db" resyncs) resyncs)"
	t_case "full table: never counted twice ($kernel new flows)"
	t_check "recorded $(recorded "$db")" [ "$(recorded "$db")" -le "$kernel" ]
	t_note "(recorded $(recorded "$db"))"

	# 5. The same with reliable events: the kernel keeps what does not
	# fit in the buffer until podflowd reads it, and nothing is lost.
	fresh reliable
	tb_podflowd_config "$TB_TMP/reliable.yaml" "netlink_buffer_bytes: 256K" \
		"flush_interval_ms: 200" "reliable_events: true"
	before=$(tb_new_connections)
	tb_podflowd_start "$TB_TMP/reliable.yaml" "$db" || { t_fail "podflowd start (reliable)" "see log"; exit 1; }
	flood 10000 $((max + max / 2))
	# Until the kernel has sent what it held and podflowd, quiet again,
	# has counted from a dump the connections whose NEW came late.
	for _ in $(seq 120); do
		grep -q 'resynced' "$TB_TMP/podflowd.log" && break
		sleep 0.5
	done
	sleep 1
	tb_podflowd_stop || t_fail "reliable: SIGTERM exits 0" "status $?"
	kernel=$(($(tb_new_connections) - before))
	t_case "full table, reliable events: connections equal the kernel's ($kernel)"
	t_check "recorded $(recorded "$db")" [ "$(recorded "$db")" -eq "$kernel" ]
	t_note "($(counter "$db" enobufs) lost-event episodes)"
fi
[ "$t_failures" -eq 0 ] || sed 's/^/# /' "$TB_TMP/podflowd.log"
t_done
