#!/bin/bash
# kill -9 at any moment of a flood, mid-write included: the database is
# whole every time (PRAGMA integrity_check), what was committed stays, and
# the next podflowd starts on it and stops cleanly.
# Needs root (network namespaces, CAP_NET_ADMIN).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/testbed.bash"
trap tb_teardown EXIT

tb_need_root crash

A=10.244.1.5 B=10.244.2.7
tb_node && tb_pod a $A && tb_pod b $B || { t_fail "testbed" "set-up failed"; exit 1; }
tb_in "$TB_NODE" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=300
tb_in "$TB_NODE" conntrack -F >/dev/null 2>&1
db=$TB_TMP/podflow.db
# Writes every 100 ms, so that kills land inside them too.
tb_podflowd_config "$TB_TMP/podflowd.yaml" "flush_interval_ms: 100"
recorded() { t_sql "$db" "SELECT coalesce(sum(connections), 0) FROM flow_edges"; }

last=0
for i in 1 2 3 4 5 6 7 8; do
	tb_podflowd_start "$TB_TMP/podflowd.yaml" "$db" ||
		{ t_fail "podflowd start $i" "see log"; exit 1; }
	tb_in "$TB_PREFIX-a" "$PFTRAFFIC" flood $B $((i * 5000)) 5000 >/dev/null &
	flooder=$!
	# 0.15 s to 0.85 s in: before, during and after writes.
	sleep "0.$((15 + (i * 37) % 70))"
	kill -KILL "$TB_PODFLOWD"
	wait "$TB_PODFLOWD" 2>/dev/null
	wait "$flooder" 2>/dev/null
	t_case "kill $i: the database is whole"
	t_equal "$(t_sql "$db" 'PRAGMA integrity_check')" ok
	now=$(recorded)
	t_case "kill $i: what was committed stays ($last, then $now)"
	t_check "fewer connections than before" [ "$now" -ge "$last" ]
	last=$now
done
t_case "after the kills: podflowd starts, records and stops cleanly"
tb_podflowd_start "$TB_TMP/podflowd.yaml" "$db" || { t_fail "podflowd start" "see log"; exit 1; }
tb_in "$TB_PREFIX-a" "$PFTRAFFIC" flood $B 60000 1000 >/dev/null
sleep 1
tb_podflowd_stop
status=$?
t_check "status $status" [ "$status" -eq 0 ]
t_case "...and its flows are there"
t_check "$(recorded) after $last" [ "$(recorded)" -ge $((last + 1000)) ]
t_done
