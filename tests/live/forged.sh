#!/bin/bash
# podflowd believes only the kernel: conntrack events that another process
# sends to the event groups (one with CAP_NET_ADMIN may), well-formed or
# not, are counted and logged, never recorded, and never stop it.
# Needs root.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/testbed.bash"
trap tb_teardown EXIT

tb_need_root forged

A=10.244.1.5 B=10.244.2.7
tb_node && tb_pod a $A && tb_pod b $B || { t_fail "testbed" "set-up failed"; exit 1; }
tb_serve "$TB_PREFIX-b" tcp 0.0.0.0 8080
sleep 0.3

db=$TB_TMP/podflow.db
tb_podflowd_config "$TB_TMP/podflowd.yaml" "flush_interval_ms: 200"
tb_podflowd_start "$TB_TMP/podflowd.yaml" "$db" || { t_fail "podflowd start" "see log"; exit 1; }

# The callback a log4shell payload would make, forged, and a message too
# short to be a conntrack entry, both sent from user space in the node.
t_case "a user-space sender can write to the NEW group"
t_check "pfforge failed" tb_in "$TB_NODE" "$PFFORGE" new 10.244.1.10 40000 203.0.113.66 1389
tb_in "$TB_NODE" "$PFFORGE" short
# Real traffic after them: podflowd is still reading.
tb_in "$TB_PREFIX-a" "$PFTRAFFIC" connect tcp $B 8080 2 || t_fail "traffic" "no answer"
sleep 0.5

t_case "podflowd is still running"
t_check "$(cat "$TB_TMP/podflowd.log")" kill -0 "$TB_PODFLOWD"
t_case "SIGTERM exits 0"
tb_podflowd_stop
status=$?
t_check "status $status" [ "$status" -eq 0 ]

t_case "the forged messages are logged as not from the kernel"
t_check "$(cat "$TB_TMP/podflowd.log")" grep -q 'not sent by the kernel' "$TB_TMP/podflowd.log"
t_sql_case "the forged flow is not recorded" "$db" \
	"SELECT count(*) FROM flow_edges WHERE client_ip = '10.244.1.10' OR server_ip = '203.0.113.66'" 0
t_sql_case "the real connections are" "$db" \
	"SELECT sum(connections) FROM flow_edges WHERE client_ip = '$A' AND server_ip = '$B' AND server_port = 8080" 2
t_sql_case "both forged datagrams are counted" "$db" \
	"SELECT value FROM collector_stats WHERE name = 'foreign'" 2
t_sql_case "and neither as a parse error" "$db" \
	"SELECT value FROM collector_stats WHERE name = 'parse_errors'" 0
t_done
