#!/bin/bash
# podflowd as a service: the sd_notify protocol (time to open the database,
# READY=1 once recording, STATUS=, WATCHDOG=1 pings, RELOADING=1 on SIGHUP,
# STOPPING=1), the Prometheus metrics file, and a database its group can
# read with sqlite3 -readonly while podflowd writes, and after it stopped.
# Needs root.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/testbed.bash"

reader=pfr$TB_ID
cleanup() {
	tb_teardown
	userdel "$reader" 2>/dev/null
	groupdel "$reader" 2>/dev/null
}
trap cleanup EXIT

tb_need_root service

tb_node && tb_pod a 10.244.1.5 fd00:10:244:1::5 && tb_pod b 10.244.2.7 fd00:10:244:2::7 ||
	{ t_fail "testbed" "set-up failed"; exit 1; }
tb_serve "$TB_PREFIX-b" tcp 0.0.0.0 8080
sleep 0.3

# A stand-in for the service manager's notification socket: every
# datagram, as received, one per line (newlines inside shown as '|').
sock=$TB_TMP/notify.sock
/usr/bin/python3 - "$sock" "$TB_TMP/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        log.write(s.recv(4096).decode().replace("\n", "|") + "\n")
PY
TB_PIDS+=($!)
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.05; done

# The database directory as systemd's StateDirectory makes it, group-owned
# by the readers' group (setgid: podflowd runs as root here, not as the
# podflow user whose group it would be).
groupadd "$reader" && useradd -M -N -g "$reader" -s /usr/sbin/nologin "$reader" ||
	{ t_fail "reader user" "cannot create"; exit 1; }
state=$TB_TMP/state
mkdir -m 2750 "$state" && chgrp "$reader" "$state"
chmod 755 "$TB_TMP"
db=$state/podflow.db
mkdir "$TB_TMP/metrics"
tb_podflowd_config "$TB_TMP/podflowd.yaml" "flush_interval_ms: 200" \
	"metrics_file: $TB_TMP/metrics/podflowd.prom" "metrics_interval_seconds: 1"

export NOTIFY_SOCKET=$sock WATCHDOG_USEC=300000
tb_podflowd_start "$TB_TMP/podflowd.yaml" "$db" || { t_fail "podflowd start" "see log"; exit 1; }
unset NOTIFY_SOCKET WATCHDOG_USEC
for i in 1 2 3; do
	tb_in "$TB_PREFIX-a" "$PFTRAFFIC" connect tcp 10.244.2.7 8080 1 || t_fail "traffic" "no answer"
done
sleep 1.5

notes=$(cat "$TB_TMP/notify.log")
t_case "first, time to open (and migrate) the database"
t_match "$notes" "EXTEND_TIMEOUT_USEC=1800000000|STATUS=opening the database"$'\n'"*"
t_case "READY=1 once recording, next"
t_equal "$(sed -n 2p "$TB_TMP/notify.log")" "READY=1"
t_case "STATUS= with the counters"
t_match "$notes" "*STATUS=recording: * connections, * edges written*"
t_case "WATCHDOG=1 pings within the interval"
pings=$(grep -c '^WATCHDOG=1$' "$TB_TMP/notify.log")
# 300 ms interval, pinged at half of it: some 10 pings in 1.5 s.
t_check "$pings pings: $notes" [ "$pings" -ge 4 ]
t_note "($pings)"

t_case "SIGHUP: RELOADING=1, then READY=1"
kill -HUP "$TB_PODFLOWD"
sleep 0.5
notes=$(cat "$TB_TMP/notify.log")
t_line "$notes" '^RELOADING=1$'
t_check "$notes" [ "$(grep -A20 '^RELOADING=1$' "$TB_TMP/notify.log" | grep -c '^READY=1$')" -ge 1 ]

# The metrics file: valid text format, and the connections counted.
t_case "metrics file: Prometheus text format, the connections counted"
t_run 0 /usr/bin/python3 - "$TB_TMP/metrics/podflowd.prom" <<'PY'
import re, sys
types, seen = {}, set()
for n, line in enumerate(open(sys.argv[1]), 1):
    line = line.rstrip("\n")
    m = re.fullmatch(r"# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)", line)
    if m:
        assert m[1] not in types, f"line {n}: second TYPE for {m[1]}"
        types[m[1]] = m[2]
        continue
    if line.startswith("# HELP "):
        continue
    m = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*) (\S+)", line)
    assert m, f"line {n}: not a sample: {line!r}"
    assert m[1] in types, f"line {n}: {m[1]} before its TYPE"
    assert m[1] not in seen, f"line {n}: {m[1]} twice"
    seen.add(m[1])
    v = float(m[2])
    assert v >= 0, f"line {n}: negative"
    if types[m[1]] == "counter":
        assert m[1].endswith("_total"), f"line {n}: counter {m[1]} without _total"
    if m[1] == "podflowd_connections_total":
        assert v >= 3, f"connections {v}"
for need in ("podflowd_lost_event_episodes_total", "podflowd_resyncs_total",
             "podflowd_edges_written_total", "podflowd_flush_duration_seconds",
             "podflowd_database_bytes", "podflowd_connections_total"):
    assert need in seen, f"{need} missing"
PY
t_case "metrics file readable by node_exporter"
t_equal "$(stat -c %a "$TB_TMP/metrics/podflowd.prom")" 644
t_case "metrics file written in place"
t_equal "$(ls "$TB_TMP/metrics")" podflowd.prom

# The database: 0640, group-owned, readable by a group member.
t_case "database, -wal, -shm: 0640, the directory's group"
t_equal "$(stat -c '%a %G' "$db" "$db-wal" "$db-shm" | sort -u)" "640 $reader"
t_case "a group member reads with sqlite3 -readonly while podflowd writes"
t_equal "$(runuser -u "$reader" -- sqlite3 -readonly "$db" "SELECT count(*) FROM flow_edges WHERE server_port = 8080" 2>&1)" 1
t_case "a group member cannot write"
t_check "the delete succeeded" ! runuser -u "$reader" -- sqlite3 "$db" "DELETE FROM edge" 2>/dev/null

t_case "STOPPING=1 at SIGTERM"
tb_podflowd_stop
t_check "$(tail -3 "$TB_TMP/notify.log")" grep -q '^STOPPING=1$' "$TB_TMP/notify.log"
t_case "a group member reads after podflowd stopped (WAL kept)"
t_equal "$(runuser -u "$reader" -- sqlite3 -readonly "$db" "SELECT sum(connections) FROM flow_edges WHERE server_port = 8080" 2>&1)" 3

# Without NOTIFY_SOCKET nothing is sent, and podflowd runs as before.
: >"$TB_TMP/notify.log"
tb_podflowd_start "$TB_TMP/podflowd.yaml" "$db" || t_fail "podflowd start without a service manager" "see log"
sleep 0.3
tb_podflowd_stop
t_case "no service manager: no notifications"
t_check "$(cat "$TB_TMP/notify.log")" [ ! -s "$TB_TMP/notify.log" ]

t_done
