#!/bin/bash
# The cluster store with real traffic: two podflowd "nodes" on one
# conntrack (each sees every connection, as a client's node and a
# server's both do) and their shippers into a PostgreSQL server of the
# test's own, while connections are made; the server stopped and started
# again, a shipper killed with SIGKILL and started again.  At the end the
# cluster store holds each node's totals exactly, and generate from it is
# generate from the two files.
# Needs root (network namespaces, CAP_NET_ADMIN).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/testbed.bash"
trap tb_teardown EXIT

tb_need_root cluster
tmp=$TB_TMP
t_pg_start || { t_fail "PostgreSQL" "no server of the test's own (make deps installs PostgreSQL)"; t_done; exit 1; }
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pg_ctl() { runuser -u postgres -- "$pg_bin/pg_ctl" -D "$tmp/pg/data" "$@" >/dev/null 2>&1; }
trap 'pg_ctl -m immediate stop; tb_teardown' EXIT
pg() { psql "$PG_URI" -XAtq -c "$1"; }

A=10.244.1.5 B=10.244.2.7
tb_node && tb_pod a $A && tb_pod b $B || { t_fail "testbed" "set-up failed"; exit 1; }
tb_in "$TB_NODE" conntrack -F >/dev/null 2>&1
tb_serve "$TB_PREFIX-b" tcp $B 8080
tb_listening "$TB_PREFIX-b" tcp 8080 || { t_fail "testbed" "no server"; exit 1; }
tb_podflowd_config "$TB_TMP/podflowd.yaml" "flush_interval_ms: 200"

# node N: podflowd N, recording to $TB_TMP/N.db as node N.
declare -A podflowd shipper
start_podflowd() {
	ip netns exec "$TB_NODE" $PODFLOWD --config "$TB_TMP/podflowd.yaml" \
		--db "$TB_TMP/$1.db" --node-name "$1" 2>"$TB_TMP/$1.log" &
	podflowd[$1]=$!
	TB_PIDS+=($!)
	for _ in $(seq 100); do
		grep -q 'recording to' "$TB_TMP/$1.log" && return 0
		sleep 0.05
	done
	return 1
}
start_shipper() {
	"$POLICYGEN" ship --follow --interval 1s --db "$TB_TMP/$1.db" --to "$PG_URI" \
		2>>"$TB_TMP/ship-$1.log" &
	shipper[$1]=$!
	TB_PIDS+=($!)
}
local_sums() { t_sql "$TB_TMP/$1.db" "SELECT count(*) || ' ' || coalesce(sum(connections), 0) FROM edge_raw"; }
store_sums() { pg "SELECT count(*) || ' ' || coalesce(sum(connections), 0) FROM node_edge_raw WHERE node = '$1'"; }
caught_up() {
	for _ in $(seq 1 300); do
		[ "$(store_sums "$1" 2>/dev/null)" = "$(local_sums "$1")" ] && return 0
		sleep 0.1
	done
	return 1
}
traffic() { tb_in "$TB_PREFIX-a" "$PFTRAFFIC" connect tcp $B 8080 "$1" || t_fail "traffic" "no answer"; }

t_case "two nodes record and ship"
for n in node-a node-b; do
	start_podflowd $n || { t_fail "podflowd $n" "$(cat "$TB_TMP/$n.log")"; exit 1; }
	start_shipper $n
done
traffic 40
for n in node-a node-b; do
	t_check "$n did not catch up" caught_up $n
done

t_case "the cluster store stopped while traffic flows, then started again"
pg_ctl -m fast stop
traffic 30
sleep 2
pg_ctl -l "$tmp/pg/server.log" -o "-k $tmp/pg/sock -c listen_addresses=''" -w start
traffic 20
for n in node-a node-b; do
	t_check "$n did not catch up: $(cat "$TB_TMP/ship-$n.log")" caught_up $n
	t_equal "$(grep -c 'trying again' "$TB_TMP/ship-$n.log")" 1
done

t_case "a shipper killed with SIGKILL while traffic flows, then started again"
traffic 25 &
flowing=$!
sleep 0.5
kill -9 "${shipper[node-a]}"
wait "${shipper[node-a]}" 2>/dev/null
wait "$flowing"
traffic 15
start_shipper node-a
t_check "node-a did not catch up" caught_up node-a

t_case "podflowd stopped: the last rows shipped, each node's totals exactly"
for n in node-a node-b; do
	kill -TERM "${podflowd[$n]}"
	wait "${podflowd[$n]}"
done
for n in node-a node-b; do
	t_check "$n did not catch up" caught_up $n
	t_equal "$(store_sums $n)" "$(local_sums $n)"
done
t_equal "$(t_sql "$TB_TMP/node-a.db" "SELECT sum(connections) FROM flow_edges WHERE server_port = 8080")" 130

t_case "generate from the cluster store is generate from the two files"
t0=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
{
	t_pod_item client-6c6c6c6c6-aaaaa 11111111-0000-4000-8000-00000000000a $A "$t0" client-6c6c6c6c6 6c6c6c6c6
	t_pod_item server-7d7d7d7d7-bbbbb 11111111-0000-4000-8000-00000000000b $B "$t0" server-7d7d7d7d7 7d7d7d7d7
} | t_list >"$TB_TMP/inventory.yaml"
for db in "$TB_TMP/node-a.db" "$TB_TMP/node-b.db" "$PG_URI"; do
	"$POLICYGEN" import --db "$db" "$TB_TMP/inventory.yaml" >/dev/null || t_fail "import" "into $db"
done
now=$(date -u -d '+2 hour' +%Y-%m-%dT%H:%M:%SZ)
t_run 0 "$POLICYGEN" generate -A --db "$PG_URI" --now "$now"
from_store=$t_out
t_run 0 "$POLICYGEN" generate -A --db "$TB_TMP/node-a.db" --db "$TB_TMP/node-b.db" --now "$now"
t_equal "$from_store" "$t_out"
t_match "$from_store" "*podflow.io/connections: \"130\"*"
for n in node-a node-b; do kill -TERM "${shipper[$n]}" 2>/dev/null; done
t_done
