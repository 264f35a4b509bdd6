# Helpers for podflow's shell tests; source it.  Each case reports one line,
# "ok NAME" or "not ok NAME: WHY", and the script exits 1 if any failed.

BUILD=${PODFLOW_BUILD:-build}
PODFLOWD=$BUILD/podflowd
POLICYGEN=$BUILD/policygen
PFMKDB=$BUILD/tests/pfmkdb
PFTRAFFIC=$BUILD/tests/pftraffic
t_failures=0

t_ok() { echo "ok $1"; }
t_fail() {
	echo "not ok $1: $2"
	t_failures=$((t_failures + 1))
}

# t_expect NAME WANT_STATUS CMD...: runs CMD, checks its exit status, and
# keeps its stdout and stderr in $t_out and $t_err for further checks.
t_expect() {
	local name=$1 want=$2
	shift 2
	t_err_file=$(mktemp)
	t_out=$("$@" 2>"$t_err_file")
	t_status=$?
	t_err=$(cat "$t_err_file")
	rm -f "$t_err_file"
	if [ "$t_status" -ne "$want" ]; then
		t_fail "$name" "exit status $t_status, want $want (stderr: $t_err)"
		return 1
	fi
	return 0
}

t_done() { [ "$t_failures" -eq 0 ]; }
