# Helpers for podflow's shell tests; source it.  Each case reports one line,
# "ok NAME" or "not ok NAME: WHY" (tests/run-shell.sh counts them), and the
# script, ending with t_done, exits 1 if any failed.
#
# A case is named once, by t_case, and checked on the lines after it:
#
#	t_case "a bad --since is refused"
#	t_run 2 "$POLICYGEN" flows --db "$db" --since yesterday
#	t_match "$t_err" "*--since: 'yesterday' is neither*"
#
#	t_case NAME            opens a case, closing the one before
#	t_run WANT CMD...      CMD exits WANT; its stdout, stderr and status are
#	                       left in $t_out, $t_err and $t_status
#	t_equal GOT WANT       GOT is WANT
#	t_match TEXT GLOB      TEXT matches the shell pattern GLOB, as a whole
#	t_nomatch TEXT GLOB    TEXT does not match GLOB
#	t_line TEXT REGEX      a line of TEXT matches the extended regex REGEX
#	t_check WHY [!] CMD... CMD succeeds (with !, fails); if not, WHY says
#	                       what went wrong
#	t_sql_case NAME DB SQL WANT
#	                       a case of its own: SQL's answer from the
#	                       database DB is WANT
#	t_note TEXT            TEXT follows NAME on the case's "ok" line (a
#	                       figure the case measured)
#	t_end                  closes the case now (t_case and t_done do it)
#	t_done                 closes the last case; the script's exit status
#
# The first check that fails reports "not ok NAME: WHY" at once, and the
# case's later checks then do nothing but return 1, as a chain of && would:
# a case is the list of its lines and stops at its first failure.  A case
# none of whose checks failed reports "ok NAME" when it is closed.  A GLOB is
# matched by case: write \[ for a literal [ and \* for a literal *.  Do not
# redirect a check's stdout: its report would go there too.
#
# t_ok NAME and t_fail NAME WHY report a line of their own (a set-up that
# failed, say), closing the open case first; t_expect NAME WANT CMD... is
# t_run with its own NAME for a failure, reporting nothing when it passes.
#
# t_tmpdir NAME gives the script its temporary directory, $tmp, removed at
# exit; $FIXTURES is tests/fixtures, wherever the script is run from.

BUILD=${PODFLOW_BUILD:-build}
PODFLOWD=$BUILD/podflowd
POLICYGEN=$BUILD/policygen
PFMKDB=$BUILD/tests/pfmkdb
PFTRAFFIC=$BUILD/tests/pftraffic
PFFORGE=$BUILD/tests/pfforge
FIXTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/fixtures" && pwd)
t_failures=0
# The open case: its name, the text its ok line adds, and its state (open,
# failed, or empty when no case is open).
t_case_name=
t_case_note=
t_case_state=

t_ok() {
	t_end
	echo "ok $1"
}
t_fail() {
	t_end
	echo "not ok $1: $2"
	t_failures=$((t_failures + 1))
}

t_case() {
	t_end
	t_case_name=$1
	t_case_note=
	t_case_state=open
}

t_end() {
	[ "$t_case_state" = open ] && echo "ok $t_case_name${t_case_note:+ $t_case_note}"
	t_case_state=
	return 0
}

t_note() { t_case_note=$1; }

# t_live: 0 if the open case is still to be decided, so that the calling
# check should run; 1 if one of its checks failed already.
t_live() {
	case $t_case_state in
	open) return 0 ;;
	failed) return 1 ;;
	esac
	# A script's mistake, not a test's: say so rather than lose the check.
	t_fail "${FUNCNAME[1]} outside a case" "no t_case before it"
	return 1
}

# t_bad WHY: the open case fails with WHY.  Returns 1.
t_bad() {
	echo "not ok $t_case_name: $1"
	t_failures=$((t_failures + 1))
	t_case_state=failed
	return 1
}

# t_capture CMD...: runs CMD, its stdout and stderr into $t_out and $t_err,
# its exit status into $t_status.
t_capture() {
	local err_file
	err_file=$(mktemp)
	t_out=$("$@" 2>"$err_file")
	t_status=$?
	t_err=$(cat "$err_file")
	rm -f "$err_file"
}

t_run() {
	local want=$1
	shift
	t_live || return 1
	t_capture "$@"
	[ "$t_status" -eq "$want" ] && return 0
	t_bad "exit status $t_status, want $want (stderr: $t_err)${t_out:+ (stdout: $t_out)}"
}

t_equal() {
	t_live || return 1
	[ "$1" = "$2" ] || t_bad "got '$1', want '$2'"
}

t_match() {
	t_live || return 1
	# shellcheck disable=SC2254
	case $1 in $2) return 0 ;; esac
	t_bad "want $2, got: $1"
}

t_nomatch() {
	t_live || return 1
	# shellcheck disable=SC2254
	case $1 in $2) t_bad "want nothing like $2, got: $1" ;; esac
}

t_line() {
	t_live || return 1
	printf '%s\n' "$1" | grep -Eq -- "$2" && return 0
	t_bad "no line like '$2' in:
$1"
}

t_check() {
	local why=$1
	shift
	t_live || return 1
	if [ "$1" = "!" ]; then
		shift
		! "$@"
	else
		"$@"
	fi || t_bad "$why"
}

# t_sql DB SQL: SQL's answer from the database DB, opened read-only so that
# a test never changes what it checks.
t_sql() { sqlite3 -readonly "$1" "$2"; }

t_sql_case() {
	t_case "$1"
	t_equal "$(t_sql "$2" "$3")" "$4"
}

# t_expect NAME WANT_STATUS CMD...: runs CMD, checks its exit status, and
# keeps its stdout and stderr in $t_out and $t_err for further checks.
t_expect() {
	local name=$1 want=$2
	shift 2
	t_capture "$@"
	if [ "$t_status" -ne "$want" ]; then
		t_fail "$name" "exit status $t_status, want $want (stderr: $t_err)"
		return 1
	fi
	return 0
}

t_done() {
	t_end
	[ "$t_failures" -eq 0 ]
}

# t_tmpdir NAME: a new directory /tmp/podflow-NAME.XXXXXX in $tmp, and an
# EXIT trap that removes it (a script that needs a trap of its own removes
# $tmp there).  Exits the test, failed, if there is none.
t_tmpdir() {
	tmp=$(mktemp -d "/tmp/podflow-$1.XXXXXX") ||
		{ t_fail "temporary directory" "mktemp failed"; exit 1; }
	trap 'rm -rf "$tmp"' EXIT
}

# t_pg_start: a PostgreSQL server of the test's own in $tmp/pg (after
# t_tmpdir), on a Unix socket only (no TCP port to collide with), stopped
# and removed at exit; $PG_URI reaches its database postgres.  Returns 1
# when the machine has no PostgreSQL server (make deps installs it).
t_pg_start() {
	local bin
	bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -x "$bin/initdb" ] && id postgres >/dev/null 2>&1 || return 1
	mkdir -p "$tmp/pg/sock" && chown -R postgres: "$tmp/pg" && chmod 755 "$tmp" &&
		runuser -u postgres -- "$bin/initdb" -D "$tmp/pg/data" -A trust \
			-U postgres >"$tmp/pg/initdb.log" 2>&1 ||
		{ t_fail "PostgreSQL" "initdb failed: $(tail -3 "$tmp/pg/initdb.log")"; return 1; }
	trap 'runuser -u postgres -- "'"$bin"'/pg_ctl" -D "$tmp/pg/data" -m immediate stop >/dev/null 2>&1; rm -rf "$tmp"' EXIT
	runuser -u postgres -- "$bin/pg_ctl" -D "$tmp/pg/data" -l "$tmp/pg/server.log" \
		-o "-k $tmp/pg/sock -c listen_addresses=''" -w start >/dev/null 2>&1 ||
		{ t_fail "PostgreSQL" "the server did not start: $(tail -3 "$tmp/pg/server.log")"; return 1; }
	PG_URI="postgresql:///postgres?host=$tmp/pg/sock&user=postgres"
}

# t_javaapp_db DB: the example-java-app scenario in a new database DB,
# its inventory at two times and the flows podflowd would have recorded
# (tests/fixtures/javaapp*).  Exits the test, failed, if that fails.
t_javaapp_db() {
	"$POLICYGEN" import --db "$1" --at 2026-11-23T07:20:00Z "$FIXTURES/javaapp-before.yaml" >/dev/null &&
		"$POLICYGEN" import --db "$1" --at 2026-11-23T08:30:00Z "$FIXTURES/javaapp.yaml" >/dev/null &&
		bash -c ". '$FIXTURES/javaapp-flows.sh'" | sqlite3 "$1" ||
		{ t_fail "scenario" "set-up failed"; exit 1; }
}

# t_pod_item NAME UID IP START REPLICASET HASH [IPV6 [DELETED]]: a
# kubectl-shaped List item, a running pod of a Deployment's ReplicaSet in
# namespace shop; with IPV6, dual-stack; with DELETED, being deleted.
t_pod_item() {
	local del= ip6=
	[ -z "${8:-}" ] || del="deletionTimestamp: \"$8\""
	[ -z "${7:-}" ] || ip6="- ip: $7"
	# The optional lines are blank when unset; none stays.
	sed '/^ *$/d' <<-YAML
	- apiVersion: v1
	  kind: Pod
	  metadata:
	    creationTimestamp: "$4"
	    $del
	    labels:
	      app: ${5%-*}
	      pod-template-hash: $6
	    name: $1
	    namespace: shop
	    ownerReferences:
	    - apiVersion: apps/v1
	      controller: true
	      kind: ReplicaSet
	      name: $5
	      uid: 00000000-0000-4000-8000-$(printf '%s' "$5" | cksum | cut -c1-12 | tr ' ' 0)
	    uid: $2
	  spec:
	    containers:
	    - image: registry.example/app:1
	      name: app
	    nodeName: node-a
	  status:
	    phase: Running
	    podIP: $3
	    podIPs:
	    - ip: $3
	    $ip6
	    startTime: "$4"
	YAML
}

# t_list: wraps the items on stdin in a kubectl List.
t_list() {
	echo "apiVersion: v1"
	echo "items:"
	cat
	echo "kind: List"
	echo "metadata:"
	echo "  resourceVersion: \"\""
}
