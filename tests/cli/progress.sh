#!/bin/bash
# The progress line: on a terminal only, after PODFLOW_PROGRESS seconds,
# and cleared before anything else is written there.
. "$(dirname "$0")/../lib.sh"

t_tmpdir progress
db=$tmp/podflow.db
t_javaapp_db "$db"
# Enough rows that a read takes SQLite many steps: 20,000 outside peers.
sqlite3 "$db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
	INSERT INTO edge (bucket, client_ip, server_ip, server_port, protocol, service_ip,
			  service_port, first_seen, last_seen, connections)
	SELECT 1795939200 + (i / 5000) * 60, '10.244.1.11', '203.0.113.' || (i % 250),
	       1000 + i % 5000, 6, '', 0, 1795939200 + (i / 5000) * 60 + 1,
	       1795939200 + (i / 5000) * 60 + 2, 1 FROM n" || t_fail "fill" "failed"

# on_tty ENV... -- CMD...: what CMD writes to a terminal (script(1)'s pty),
# its stdout left out.
on_tty() {
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	env "${envs[@]}" script -qec "$(printf '%q ' "$@") >/dev/null" /dev/null
}
# on_tty_all ENV... -- CMD...: the same, stdout on the terminal too.
on_tty_all() {
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	env "${envs[@]}" script -qec "$(printf '%q ' "$@")" /dev/null
}
esc=$'\e'

if ! command -v script >/dev/null; then
	t_fail "script(1)" "missing: the progress line cannot be tested"
	t_done
fi
t_case "on a terminal, a long read shows where it is"
out=$(on_tty PODFLOW_PROGRESS=0 -- "$POLICYGEN" flows --db "$db" -A)
t_match "$out" "*policygen flows: reading $db, 0 s$esc\[K*"
t_case "and the line is cleared before the next message"
t_match "$out" "*$esc\[K"$'\r'"$esc\[Kpolicygen: note: $db: *"
t_case "PODFLOW_PROGRESS=off: none"
out=$(on_tty PODFLOW_PROGRESS=off -- "$POLICYGEN" flows --db "$db" -A)
t_nomatch "$out" "*reading*"
t_case "by default, none for a read shorter than a second"
out=$(on_tty TERM=xterm -- "$POLICYGEN" workloads --db "$db")
t_nomatch "$out" "*reading*"
t_case "TERM=dumb: none"
out=$(on_tty PODFLOW_PROGRESS=0 TERM=dumb -- "$POLICYGEN" flows --db "$db" -A)
t_nomatch "$out" "*reading*"
t_case "not on a terminal: none"
t_run 0 env PODFLOW_PROGRESS=0 "$POLICYGEN" flows --db "$db" -A
t_nomatch "$t_err" "*reading*"

t_case "the answer on the terminal: the line cleared before it, never within"
out=$(on_tty_all PODFLOW_PROGRESS=0 -- "$POLICYGEN" info --db "$db")
t_match "$out" "*$esc\[K"$'\r'"$esc\[Kdatabase: *"
t_nomatch "${out#*database:}" "*reading*"
t_case "an empty answer's message: the line cleared before it, and not drawn again"
out=$(on_tty_all PODFLOW_PROGRESS=0 -- "$POLICYGEN" flows --db "$db" -n nosuch)
t_match "$out" "*"$'\r'"$esc\[Kpolicygen: no namespace nosuch in the inventory*"
t_nomatch "${out#*no namespace nosuch}" "*reading*"

t_done
