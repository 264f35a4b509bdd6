#!/bin/bash
# podflowd on a full disk at shutdown: SIGTERM writes what it holds, and
# when the disk is full tries again for a while; space freed meanwhile, it
# stores everything and exits 0; still full, it exits 1 and says how many
# edges and connections it could not store.  The database sits on a small
# tmpfs of the test's own.  Needs root.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/testbed.bash"

disk=$TB_TMP/disk
cleanup() {
	umount -l "$disk" 2>/dev/null
	tb_teardown
}
trap cleanup EXIT

tb_need_root fulldisk

A=10.244.1.5 B=10.244.2.7
tb_node && tb_pod a $A && tb_pod b $B || { t_fail "testbed" "set-up failed"; exit 1; }
# Start timestamps, so that the second run's start-up dump knows the
# first run's connections (still in the table) as counted.
tb_in "$TB_NODE" sysctl -qw net.netfilter.nf_conntrack_timestamp=1
tb_serve "$TB_PREFIX-b" tcp 0.0.0.0 8080
mkdir "$disk" && mount -t tmpfs -o size=4m tmpfs "$disk" ||
	{ t_fail "tmpfs" "cannot mount"; exit 1; }
sleep 0.3

db=$disk/podflow.db
# Only the shutdown writes the edges.
tb_podflowd_config "$TB_TMP/podflowd.yaml" "flush_interval_ms: 60000"

# fill: starts podflowd, waits for its start-up checkpoint to empty the
# WAL (a write then needs new space), fills the disk, opens COUNT
# connections and sends SIGTERM.
fill() {
	rm -f "$disk/fill"
	tb_podflowd_start "$TB_TMP/podflowd.yaml" "$db" || return 1
	for _ in $(seq 50); do
		[ "$(stat -c %s "$db-wal" 2>/dev/null)" = 0 ] && break
		sleep 0.1
	done
	dd if=/dev/zero of="$disk/fill" bs=64k 2>/dev/null
	tb_in "$TB_PREFIX-a" "$PFTRAFFIC" connect tcp $B 8080 "$1" || return 1
	sleep 0.3
	kill -TERM "$TB_PODFLOWD"
}

t_case "a full disk, freed while podflowd tries again: exit 0"
fill 3 || t_fail "set-up" "$(cat "$TB_TMP/podflowd.log")"
sleep 2
rm -f "$disk/fill"
wait "$TB_PODFLOWD"
status=$?
t_check "status $status: $(cat "$TB_TMP/podflowd.log")" [ "$status" -eq 0 ]
t_case "and it said the write failed"
t_check "$(cat "$TB_TMP/podflowd.log")" grep -q 'flush failed' "$TB_TMP/podflowd.log"
t_sql_case "every connection is stored" "$db" \
	"SELECT sum(connections) FROM flow_edges WHERE server_port = 8080" 3

t_case "a disk that stays full: exit 1"
fill 2 || t_fail "set-up" "$(cat "$TB_TMP/podflowd.log")"
wait "$TB_PODFLOWD"
status=$?
rm -f "$disk/fill"
t_check "status $status: $(cat "$TB_TMP/podflowd.log")" [ "$status" -eq 1 ]
t_case "and it says what it could not store"
t_check "$(cat "$TB_TMP/podflowd.log")" \
	grep -q 'stopping with 1 edge (2 connections) not stored' "$TB_TMP/podflowd.log"
t_sql_case "nothing half-written: the first run's rows, no more" "$db" \
	"SELECT sum(connections) FROM flow_edges WHERE server_port = 8080" 3
t_sql_case "the database is intact" "$db" "PRAGMA integrity_check" ok
t_done
