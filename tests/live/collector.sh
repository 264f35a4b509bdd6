#!/bin/bash
# podflowd against the real kernel: a node namespace routing between pod
# namespaces, real connections, and the rows they must leave in flow_edges.
# Needs root (network namespaces, CAP_NET_ADMIN).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/testbed.bash"
trap tb_teardown EXIT

tb_need_root collector

A=10.244.1.5 B=10.244.2.7 A6=fd00:10:244:1::5 B6=fd00:10:244:2::7
tb_node && tb_pod a $A $A6 && tb_pod b $B $B6 && tb_ext &&
	tb_service 10.96.0.15 80 $B 8080 || { t_fail "testbed" "set-up failed"; exit 1; }
# Byte accounting, so DESTROY events carry totals.
tb_in "$TB_NODE" sysctl -qw net.netfilter.nf_conntrack_acct=1
tb_serve "$TB_PREFIX-b" tcp 0.0.0.0 8080
tb_serve "$TB_PREFIX-b" tcp :: 8081
tb_serve "$TB_PREFIX-b" tcp 0.0.0.0 9090
tb_serve "$TB_PREFIX-b" udp 0.0.0.0 5353
tb_serve "$TB_PREFIX-ext" tcp 0.0.0.0 443
sleep 0.3

db=$TB_TMP/podflow.db
# A long flush interval: only the shutdown flush can have written the rows.
tb_podflowd_config "$TB_TMP/podflowd.yaml" dual "flush_interval_ms: 60000"

# A connection that is open before podflowd starts, and stays open.
tb_in "$TB_PREFIX-a" "$PFTRAFFIC" connect tcp $B 9090 1 8000 &
held=$!
sleep 0.5

tb_podflowd_start "$TB_TMP/podflowd.yaml" "$db" || { t_fail "podflowd start" "see log"; exit 1; }
# This namespace keeps the kernel's default, no conntrack timestamps.
t_case "start-up warns that dumped connections will have no start time"
t_check "$(cat "$TB_TMP/podflowd.log")" grep -q 'nf_conntrack_timestamp is 0' "$TB_TMP/podflowd.log"

# nf_conntrack_max is global: the namespace podflowd runs in asks the kernel.
max=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
t_case "live connections sized from the kernel's maximum ($max)"
t_check "$(grep 'room for' "$TB_TMP/podflowd.log")" grep -q \
	"room for $((2 * max)) live connections, twice the kernel's nf_conntrack_max ($max)" \
	"$TB_TMP/podflowd.log"

run() { tb_in "$TB_PREFIX-$1" "$PFTRAFFIC" connect "${@:2}" || t_fail "traffic $*" "no answer"; }
run a tcp $B 8080 3
run a udp $B 5353 2
run a tcp $B6 8081 2
run a tcp 10.96.0.15 80 4
run a tcp $TB_EXT 443 1
# Host to host: the node itself to the outside; not pod traffic.
tb_in "$TB_NODE" "$PFTRAFFIC" connect tcp $TB_EXT 443 1 || t_fail "node traffic" "no answer"

# Ending the direct TCP connections now (not after TIME_WAIT) sends their
# DESTROY events, with the byte totals.
tb_in "$TB_NODE" conntrack -D -p tcp --orig-dst $B --dport 8080 >/dev/null 2>&1

# SIGUSR1 logs the counters; SIGHUP reloads the file (a new pod CIDR).
kill -USR1 "$TB_PODFLOWD"
sed -i "s|^pod_cidrs: .*|pod_cidrs: [$TB_POD_CIDR4, \"$TB_POD_CIDR6\", 10.99.0.0/16]|" "$TB_TMP/podflowd.yaml"
echo "node_name: live-node-1" >>"$TB_TMP/podflowd.yaml"
kill -HUP "$TB_PODFLOWD"
for _ in $(seq 50); do
	grep -q 'configuration reloaded' "$TB_TMP/podflowd.log" && break
	sleep 0.1
done
t_case "SIGUSR1 logs the counters"
t_check "$(cat "$TB_TMP/podflowd.log")" grep -q 'counters: .*connections=' "$TB_TMP/podflowd.log"

t_case "SIGTERM exits 0"
kernel_new=$(tb_new_connections)
tb_podflowd_stop
status=$?
kill "$held" 2>/dev/null
t_check "status $status" [ "$status" -eq 0 ]

row="SELECT connections FROM flow_edges WHERE"
t_sql_case "TCP between pods" "$db" \
	"$row client_ip='$A' AND server_ip='$B' AND server_port=8080 AND protocol='TCP' AND service_ip IS NULL" 3
t_sql_case "DESTROY adds byte totals (accounting on)" "$db" \
	"SELECT bytes > 0 AND packets >= 12 FROM flow_edges WHERE client_ip='$A' AND server_ip='$B' AND server_port=8080 AND service_ip IS NULL" 1
t_sql_case "UDP between pods" "$db" \
	"$row client_ip='$A' AND server_ip='$B' AND server_port=5353 AND protocol='UDP'" 2
t_sql_case "IPv6 between pods" "$db" \
	"$row client_ip='$A6' AND server_ip='$B6' AND server_port=8081 AND protocol='TCP'" 2
t_sql_case "Service DNAT stores the backend and targetPort" "$db" \
	"$row client_ip='$A' AND server_ip='$B' AND server_port=8080 AND service_ip='10.96.0.15' AND service_port=80" 4
t_sql_case "masqueraded egress keeps the address the server saw" "$db" \
	"$row client_ip='$A' AND server_ip='$TB_EXT' AND server_port=443 AND client_nat_ip='$TB_EXT_NODE'" 1
t_sql_case "a connection opened before podflowd started" "$db" \
	"$row client_ip='$A' AND server_ip='$B' AND server_port=9090" 1
t_sql_case "host-to-host traffic is ignored" "$db" \
	"SELECT count(*) FROM flow_edges WHERE client_ip='$TB_EXT_NODE'" 0
t_sql_case "no ClusterIP is ever stored as a server" "$db" \
	"SELECT count(*) FROM flow_edges WHERE server_ip LIKE '10.96.%'" 0
t_sql_case "connections equal the kernel's count of new connections" "$db" \
	"SELECT sum(connections) FROM flow_edges" "$kernel_new"
t_sql_case "SIGHUP reloads; the pod CIDRs in force are recorded" "$db" \
	"SELECT value FROM meta WHERE key='pod_cidrs'" "$TB_POD_CIDR4 $TB_POD_CIDR6 10.99.0.0/16"
t_sql_case "the node name is recorded; a reload changes it only at restart" "$db" \
	"SELECT value FROM meta WHERE key='node'" "$(hostname | tr '[:upper:]' '[:lower:]')"
t_case "a reload that renames the node says so"
t_match "$(cat "$TB_TMP/podflowd.log")" "*node_name changed to live-node-1: takes effect on restart*"
t_sql_case "counters written on stop" "$db" \
	"SELECT value FROM collector_stats WHERE name='connections'" "$kernel_new"

# A burst far beyond a deliberately tiny receive buffer: the loss must be
# detected, and the resync must still record every live flow.
tb_in "$TB_NODE" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=300
tb_podflowd_config "$TB_TMP/tiny.yaml" "netlink_buffer_bytes: 64K" "flush_interval_ms: 200"
db=$TB_TMP/burst.db
tb_podflowd_start "$TB_TMP/tiny.yaml" "$db" || { t_fail "podflowd start (burst)" "see log"; exit 1; }
before=$(tb_new_connections)
tb_in "$TB_PREFIX-a" "$PFTRAFFIC" flood $B 20000 40000 >/dev/null
flood_new=$(($(tb_new_connections) - before))
sleep 1
tb_podflowd_stop || t_fail "burst: SIGTERM exits 0" "status $?"
enobufs=$(t_sql "$db" "SELECT value FROM collector_stats WHERE name='enobufs'")
resyncs=$(t_sql "$db" "SELECT value FROM collector_stats WHERE name='resyncs'")
t_case "burst: lost events are detected"
t_check "enobufs=$enobufs" [ "${enobufs:-0}" -gt 0 ]
t_note "($enobufs episodes)"
t_case "burst: resynced"
t_check "resyncs=$resyncs" [ "${resyncs:-0}" -gt 0 ]
t_note "($resyncs dumps)"
t_sql_case "burst: every live flow recorded despite the loss ($flood_new flows)" "$db" \
	"SELECT sum(connections) FROM flow_edges WHERE client_ip='$A' AND protocol='UDP' AND server_port >= 20000" \
	"$flood_new"
t_end
[ "$t_failures" -eq 0 ] || sed 's/^/# /' "$TB_TMP/podflowd.log"
t_case "burst: the loss is logged"
t_check "$(cat "$TB_TMP/podflowd.log")" grep -q 'dropped conntrack events' "$TB_TMP/podflowd.log"

t_done
