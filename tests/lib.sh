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

# t_javaapp_db DB: the example-java-app scenario in a new database DB,
# its inventory at two times and the flows podflowd would have recorded
# (tests/fixtures/javaapp*).  Exits the test, failed, if that fails.
t_javaapp_db() {
	local fixtures
	fixtures=$(cd "$(dirname "${BASH_SOURCE[0]}")/fixtures" && pwd)
	"$POLICYGEN" import --db "$1" --at 2026-11-23T07:20:00Z "$fixtures/javaapp-before.yaml" >/dev/null &&
		"$POLICYGEN" import --db "$1" --at 2026-11-23T08:30:00Z "$fixtures/javaapp.yaml" >/dev/null &&
		bash -c ". '$fixtures/javaapp-flows.sh'" | sqlite3 "$1" ||
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
