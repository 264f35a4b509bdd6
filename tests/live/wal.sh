#!/bin/bash
# A reader that holds a transaction open keeps every checkpoint from
# finishing, and the WAL grows by every write meanwhile: podflowd says so
# once, and when the reader is done, cuts the WAL back and says that too.
# Needs root.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/testbed.bash"
trap 'exec 3>&- 2>/dev/null; tb_teardown' EXIT

tb_need_root wal

tb_node || { t_fail "testbed" "set-up failed"; exit 1; }
db=$TB_TMP/podflow.db
tb_podflowd_config "$TB_TMP/podflowd.yaml" "flush_interval_ms: 200"
tb_podflowd_start "$TB_TMP/podflowd.yaml" "$db" || { t_fail "podflowd start" "see log"; exit 1; }

# wait_log TEXT: up to 5 s for podflowd's log to say TEXT.
wait_log() {
	for _ in $(seq 50); do
		grep -q "$1" "$TB_TMP/podflowd.log" && return 0
		sleep 0.1
	done
	return 1
}

# The reader: a sqlite3 shell inside a transaction, fed from a pipe it
# waits on.
mkfifo "$TB_TMP/reader"
sqlite3 "$db" <"$TB_TMP/reader" >/dev/null &
TB_PIDS+=($!)
exec 3>"$TB_TMP/reader"
printf 'BEGIN;\nSELECT count(*) FROM edge;\n' >&3
sleep 0.3
# 150 MiB written past the reader's snapshot: every frame stays.
sqlite3 "$db" "CREATE TABLE ballast (x BLOB);
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150)
	INSERT INTO ballast SELECT randomblob(1048576) FROM n;"
wal=$(stat -c %s "$db-wal")
t_case "the WAL grew behind the reader"
t_check "$wal bytes" [ "$wal" -gt $((128 << 20)) ]
t_case "podflowd says a reader holds it"
t_check "$(cat "$TB_TMP/podflowd.log")" wait_log 'and a reader holds a transaction open'
t_case "once"
sleep 0.5
t_check "$(grep -c 'a reader holds' "$TB_TMP/podflowd.log") times" \
	[ "$(grep -c 'a reader holds' "$TB_TMP/podflowd.log")" -eq 1 ]

printf 'COMMIT;\n.quit\n' >&3
exec 3>&-
t_case "when the reader is done, the WAL is cut back and that is said"
t_check "$(cat "$TB_TMP/podflowd.log")" wait_log 'the reader is done: the WAL of .* was checkpointed'
wal=$(stat -c %s "$db-wal" 2>/dev/null || echo 0)
t_check "$wal bytes left" [ "$wal" -lt $((1 << 20)) ]
t_case "podflowd stops cleanly"
tb_podflowd_stop
status=$?
t_check "status $status" [ "$status" -eq 0 ]
t_done
