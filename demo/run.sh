#!/bin/bash
# podflow end to end, on the log4shell (CVE-2021-44228) scenario.
#
# Builds a small cluster in network namespaces, lets podflowd learn its
# normal traffic for a few seconds, generates NetworkPolicies from what it
# recorded, and shows with `policygen check` that they allow every flow
# of the learning window and deny the exploit's callback to the attacker's
# LDAP server.
#
#   demo/run.sh [--quiet] [--keep DIR]       (`make demo`; --help)
#
# Needs root (network namespaces, CAP_NET_ADMIN) and podflowd, policygen
# and tests/pftraffic in $PODFLOW_BUILD (default build).  Takes about ten
# seconds.  Exit status 0 only if every step showed what it should.
#
# The cluster, one node:
#
#   namespace         workload         pod address   Service (ClusterIP)
#   example-java-app  javaapp          10.244.1.10   javaapp  10.96.0.20  80 -> 8080/TCP
#   example-java-app  jclient          10.244.1.11   (calls javaapp through its Service)
#   kube-system       coredns          10.244.0.3    kube-dns 10.96.0.10  53 -> 5353/UDP,TCP
#   shop              frontend         10.244.2.10   (calls cart through its Service)
#   shop              cart             10.244.2.20   cart     10.96.0.30  80 -> 8080/TCP
#
# The node (InternalIP 192.0.2.10) routes between the pods, does
# kube-proxy's DNAT with nft, and masquerades what leaves the cluster to
# an "internet" namespace, behind which sit a payments API (198.51.100.50,
# port 443, used by javaapp) and the attacker (203.0.113.66, LDAP on 1389),
# whom nothing contacts while podflowd learns.  Every address is in the
# pod and Service ranges or in documentation ranges; every packet stays in
# namespaces this script creates and always removes.

top=$(cd "$(dirname "$0")/.." && pwd)
quiet=${DEMO_QUIET:-0}
keep=

usage() {
	cat <<-'EOF'
	usage: demo/run.sh [--quiet] [--keep DIR]

	podflow end to end on the log4shell scenario, in network namespaces (root):
	a one-node cluster, podflowd learning its traffic, NetworkPolicies
	generated, then checked with policygen check.

	  -q, --quiet  only the result lines, "ok demo: STEP" or "not ok demo: STEP: WHY"
	               (as the test suite prints them); also DEMO_QUIET=1
	  --keep DIR   where to leave the inventory, the database, podflowd's
	               configuration and log, and the policies (policies.yaml, and
	               policies/ for kubectl apply -f); default $PODFLOW_BUILD/demo

	PODFLOW_BUILD: the build directory (default build).
	PODFLOW_K8S_SCHEMAS: the official Kubernetes OpenAPI schemas to validate
	  the inventory and the policies against (default ../shared/k8s-openapi;
	  without them those two steps are left out).
	DEMO_ROUNDS: rounds of learning traffic, one second apart (default 3).
	Exit status: 0 if every step showed what it should, 1 if not, 2 usage.
	EOF
}
while [ $# -gt 0 ]; do
	case $1 in
	-q | --quiet) quiet=1 ;;
	--keep)
		[ $# -ge 2 ] || { echo "demo: --keep needs a directory" >&2; exit 2; }
		keep=$2
		shift
		;;
	--keep=*) keep=${1#--keep=} ;;
	-h | --help) usage; exit 0 ;;
	*) echo "demo: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
[ "$quiet" = 1 ] || quiet=0

BUILD=${PODFLOW_BUILD:-build}
case $BUILD in /*) ;; *) [ -d "$BUILD" ] && BUILD=$(cd "$BUILD" && pwd) || BUILD=$top/$BUILD ;; esac
PODFLOWD=$BUILD/podflowd
POLICYGEN=$BUILD/policygen
PFTRAFFIC=$BUILD/tests/pftraffic
SCHEMAS=${PODFLOW_K8S_SCHEMAS:-$top/../shared/k8s-openapi}
VALIDATE=$top/tests/tools/k8s_validate.py

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: needs root (network namespaces, CAP_NET_ADMIN)" >&2
	exit 1
fi
for f in "$PODFLOWD" "$POLICYGEN" "$PFTRAFFIC"; do
	[ -x "$f" ] || { echo "demo: $f is missing: 'make demo' builds what the demo needs" >&2; exit 1; }
done
for c in ip nft sqlite3; do
	command -v "$c" >/dev/null || { echo "demo: '$c' is missing; run 'make deps'" >&2; exit 1; }
done

# The testbed: every namespace carries this run's id; tb_teardown kills
# what was started and deletes every namespace and the temporary files, on
# every way out.
. "$top/tests/live/testbed.bash"
TB_PREFIX=pfdemo-$TB_ID
TB_NODE=$TB_PREFIX-node
trap tb_teardown EXIT
trap 'echo "demo: interrupted" >&2; exit 130' INT
trap 'echo "demo: terminated" >&2; exit 143' TERM
trap 'echo "demo: hung up" >&2; exit 129' HUP

NODE_NAME=demo-node
NODE_IP=192.0.2.10 # the node's InternalIP; what masquerade shows outside
ROUTER_IP=192.0.2.1
API_IP=198.51.100.50 API_GW=198.51.100.1
ATTACKER_IP=203.0.113.66 ATTACKER_GW=203.0.113.1
COREDNS=10.244.0.3 JAVAAPP=10.244.1.10 JCLIENT=10.244.1.11
FRONTEND=10.244.2.10 CART=10.244.2.20
DNS_SVC=10.96.0.10 JAVAAPP_SVC=10.96.0.20 CART_SVC=10.96.0.30
ROUNDS=${DEMO_ROUNDS:-3} # rounds of normal traffic, one second apart
case $ROUNDS in '' | *[!0-9]* | 0) echo "demo: DEMO_ROUNDS must be a positive number" >&2; exit 2 ;; esac

db=$TB_TMP/podflow.db
inventory=$TB_TMP/inventory.yaml
policies=$TB_TMP/policies.yaml

# ---- output -------------------------------------------------------------

if [ -t 1 ] && [ "$quiet" = 0 ]; then
	B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' D=$'\e[2m' N=$'\e[0m'
else
	B='' G='' R='' D='' N=''
fi
step=0
results=()
failures=0

say() { [ "$quiet" = 1 ] || printf '%s\n' "$*"; }
heading() {
	step=$((step + 1))
	say ""
	say "${B}── $step. $* ${N}"
}
# show: stdin indented, unless quiet.
show() {
	if [ "$quiet" = 1 ]; then cat >/dev/null; else sed "s/^/    /"; fi
}
pass() {
	results+=("${G}✓${N} $1")
	if [ "$quiet" = 1 ]; then echo "ok demo: $1"; else say "  ${G}✓${N} $1"; fi
}
fail() {
	results+=("${R}✗${N} $1: $2")
	failures=$((failures + 1))
	if [ "$quiet" = 1 ]; then
		echo "not ok demo: $1: $2"
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
	else
		say "  ${R}✗${N} $1: $2"
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/    /'
	fi
	return 0
}
summary() {
	if [ "$quiet" = 0 ]; then
		say ""
		say "${B}── Summary${N}"
		printf '  %s\n' "${results[@]}"
		say ""
		if [ "$failures" -eq 0 ]; then
			say "${G}${B}Demo OK${N} (${#results[@]} of ${#results[@]} steps): the policies learnt from normal traffic allow all of it and block the log4shell callback."
		else
			say "${R}${B}Demo FAILED${N}: $failures of ${#results[@]} steps did not show what they should."
		fi
	fi
}
# abort WHY: a step the rest depends on failed.
abort() {
	fail "$1" "$2" "${3:-}"
	summary
	exit 1
}
# run CMD...: its stdout in $out, stderr in $err, status in $status.
run() {
	out=$("$@" 2>"$TB_TMP/stderr")
	status=$?
	err=$(cat "$TB_TMP/stderr")
}
# validate FILE WHAT STEP: the step STEP passes if FILE matches the official
# Kubernetes schemas; without them (or PyYAML) it is left out, and said so.
validate() {
	if [ -f "$SCHEMAS/api__v1_openapi.json" ] && /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
		run /usr/bin/python3 "$VALIDATE" "$SCHEMAS" "$1"
		[ "$status" -eq 0 ] && pass "$3" || fail "$3" "k8s_validate.py: status $status" "$out$err"
	else
		say "  ${D}(no Kubernetes schemas in $SCHEMAS: $2 not validated)${N}"
	fi
}
rfc3339() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
sql() { sqlite3 -readonly "$db" "$1"; }

say "${B}podflow demo: least-privilege NetworkPolicies against log4shell${N}"
say "${D}A Java app is vulnerable to CVE-2021-44228.  The exploit makes it call out to"
say "the attacker's LDAP server for a payload.  podflow learns what the workloads"
say "really talk to and turns that into NetworkPolicies that block the call.${N}"

# ---- 1. the cluster -----------------------------------------------------

heading "A one-node cluster in network namespaces"

# demo_internet: the node's uplink to a router namespace ("the internet"),
# with masquerade on the way out, as a node does for pod egress.
demo_internet() {
	local ns=$TB_PREFIX-internet
	tb_wire "$ns" "$TB_NODE" v-uplink "$NODE_IP" "$ROUTER_IP" || return 1
	ip -n "$TB_NODE" route add default via "$ROUTER_IP" || return 1
	tb_in "$ns" sysctl -qw net.ipv4.ip_forward=1
	tb_masquerade v-uplink
}

# demo_outside NAME ADDR GATEWAY: a host on the internet, in its own /24
# behind the router.
demo_outside() {
	tb_wire "$TB_PREFIX-$1" "$TB_PREFIX-internet" "o-$1" "$3" "$2" || return 1
	ip -n "$TB_PREFIX-$1" route add default via "$3"
}

setup() {
	tb_node &&
		tb_pod coredns $COREDNS && tb_pod javaapp $JAVAAPP && tb_pod jclient $JCLIENT &&
		tb_pod frontend $FRONTEND && tb_pod cart $CART &&
		demo_internet &&
		demo_outside api $API_IP $API_GW && demo_outside attacker $ATTACKER_IP $ATTACKER_GW &&
		tb_service $JAVAAPP_SVC 80 $JAVAAPP 8080 tcp &&
		tb_service $DNS_SVC 53 $COREDNS 5353 udp &&
		tb_service $DNS_SVC 53 $COREDNS 5353 tcp &&
		tb_service $CART_SVC 80 $CART 8080 tcp || return 1
	tb_serve "$TB_PREFIX-javaapp" tcp 0.0.0.0 8080
	tb_serve "$TB_PREFIX-coredns" udp 0.0.0.0 5353
	tb_serve "$TB_PREFIX-coredns" tcp 0.0.0.0 5353
	tb_serve "$TB_PREFIX-cart" tcp 0.0.0.0 8080
	tb_serve "$TB_PREFIX-api" tcp 0.0.0.0 443
}
# Not in a subshell: the namespaces and servers must be known to the
# teardown.
setup >"$TB_TMP/setup.log" 2>&1 ||
	abort "cluster set up" "a namespace, link, route or nft rule failed" "$(cat "$TB_TMP/setup.log")"
# Wait until the servers listen.
tb_listening "$TB_PREFIX-javaapp" tcp 8080
tb_listening "$TB_PREFIX-cart" tcp 8080
tb_listening "$TB_PREFIX-api" tcp 443
tb_listening "$TB_PREFIX-coredns" udp 5353
show <<EOF
node $NODE_NAME (InternalIP $NODE_IP): routes the pods, kube-proxy-style DNAT, masquerade out
  example-java-app/javaapp   $JAVAAPP   Service javaapp  $JAVAAPP_SVC:80  -> 8080/TCP
  example-java-app/jclient   $JCLIENT   calls javaapp through its Service
  kube-system/coredns        $COREDNS    Service kube-dns $DNS_SVC:53  -> 5353/UDP
  shop/frontend              $FRONTEND   calls cart through its Service
  shop/cart                  $CART   Service cart     $CART_SVC:80  -> 8080/TCP
outside, behind the node's masquerade:
  payments API               $API_IP:443 (javaapp uses it)
  attacker's LDAP server     $ATTACKER_IP:1389 (nobody talks to it while podflow learns)
network namespaces: $TB_PREFIX-*
EOF
pass "cluster: ${#TB_NAMESPACES[@]} network namespaces, 3 Services, 1 outside API"

# ---- 2. the inventory ---------------------------------------------------

heading "The cluster's inventory, as kubectl prints it"

started=$(date -u -d '-15 min' +%Y-%m-%dT%H:%M:%SZ)
# uid KIND NS NAME: a stable, unique uid for an object.
uid() {
	printf '%s/%s/%s' "$@" | md5sum |
		sed 's/^\(........\)\(....\).\(...\).\(...\)\(............\).*/\1-\2-4\3-8\4-\5/'
}

# ns_item NAME
ns_item() {
	cat <<-YAML
	- apiVersion: v1
	  kind: Namespace
	  metadata:
	    creationTimestamp: "$started"
	    labels:
	      kubernetes.io/metadata.name: $1
	    name: $1
	    uid: $(uid Namespace "" "$1")
	  status:
	    phase: Active
	YAML
}

# workload_items NS NAME HASH LABEL_KEY LABEL_VALUE IP [PORT_NAME PORT PROTO]...:
# a Deployment, its ReplicaSet and its one running pod.
workload_items() {
	local ns=$1 name=$2 hash=$3 key=$4 value=$5 ip=$6 ports='' dep_uid rs_uid
	shift 6
	while [ $# -ge 3 ]; do
		ports+=$(printf '\n      - containerPort: %s\n        name: %s\n        protocol: %s' "$2" "$1" "$3")
		shift 3
	done
	[ -n "$ports" ] && ports=$'\n      ports:'$ports
	dep_uid=$(uid Deployment "$ns" "$name")
	rs_uid=$(uid ReplicaSet "$ns" "$name-$hash")
	cat <<-YAML
	- apiVersion: apps/v1
	  kind: Deployment
	  metadata:
	    creationTimestamp: "$started"
	    name: $name
	    namespace: $ns
	    uid: $dep_uid
	  spec:
	    replicas: 1
	    selector:
	      matchLabels:
	        $key: $value
	    template:
	      metadata:
	        labels:
	          $key: $value
	      spec:
	        containers:
	        - image: registry.example/$name:1
	          name: $name
	- apiVersion: apps/v1
	  kind: ReplicaSet
	  metadata:
	    creationTimestamp: "$started"
	    labels:
	      $key: $value
	      pod-template-hash: $hash
	    name: $name-$hash
	    namespace: $ns
	    ownerReferences:
	    - apiVersion: apps/v1
	      blockOwnerDeletion: true
	      controller: true
	      kind: Deployment
	      name: $name
	      uid: $dep_uid
	    uid: $rs_uid
	  spec:
	    replicas: 1
	    selector:
	      matchLabels:
	        $key: $value
	        pod-template-hash: $hash
	    template:
	      metadata:
	        labels:
	          $key: $value
	          pod-template-hash: $hash
	      spec:
	        containers:
	        - image: registry.example/$name:1
	          name: $name
	- apiVersion: v1
	  kind: Pod
	  metadata:
	    creationTimestamp: "$started"
	    labels:
	      $key: $value
	      pod-template-hash: $hash
	    name: $name-$hash-x7k2p
	    namespace: $ns
	    ownerReferences:
	    - apiVersion: apps/v1
	      blockOwnerDeletion: true
	      controller: true
	      kind: ReplicaSet
	      name: $name-$hash
	      uid: $rs_uid
	    uid: $(uid Pod "$ns" "$name-$hash-x7k2p")
	  spec:
	    containers:
	    - image: registry.example/$name:1
	      name: $name$ports
	    nodeName: $NODE_NAME
	  status:
	    hostIP: $NODE_IP
	    phase: Running
	    podIP: $ip
	    podIPs:
	    - ip: $ip
	    startTime: "$started"
	YAML
}

# service_item NS NAME CLUSTER_IP LABEL_KEY LABEL_VALUE [PORT_NAME PORT TARGET PROTO]...
service_item() {
	local ns=$1 name=$2 ip=$3 key=$4 value=$5
	shift 5
	cat <<-YAML
	- apiVersion: v1
	  kind: Service
	  metadata:
	    creationTimestamp: "$started"
	    name: $name
	    namespace: $ns
	    uid: $(uid Service "$ns" "$name")
	  spec:
	    clusterIP: $ip
	    clusterIPs:
	    - $ip
	    ports:
	YAML
	while [ $# -ge 4 ]; do
		cat <<-YAML
		    - name: $1
		      port: $2
		      protocol: $4
		      targetPort: $3
		YAML
		shift 4
	done
	cat <<-YAML
	    selector:
	      $key: $value
	    type: ClusterIP
	YAML
}

write_inventory() {
	echo "apiVersion: v1"
	echo "items:"
	ns_item example-java-app
	ns_item kube-system
	ns_item shop
	cat <<-YAML
	- apiVersion: v1
	  kind: Node
	  metadata:
	    creationTimestamp: "$started"
	    labels:
	      kubernetes.io/hostname: $NODE_NAME
	    name: $NODE_NAME
	    uid: $(uid Node "" "$NODE_NAME")
	  spec:
	    podCIDR: 10.244.0.0/16
	  status:
	    addresses:
	    - address: $NODE_IP
	      type: InternalIP
	    - address: $NODE_NAME
	      type: Hostname
	YAML
	workload_items example-java-app javaapp 6d9f8b7c5 app javaapp $JAVAAPP http 8080 TCP
	workload_items example-java-app jclient 5b8c7d6e4 app jclient $JCLIENT
	workload_items kube-system coredns 5d78c9869d k8s-app kube-dns $COREDNS dns 5353 UDP dns-tcp 5353 TCP
	workload_items shop frontend 7f6e5d4c3 app frontend $FRONTEND
	workload_items shop cart 8c7b6a5f4 app cart $CART http 8080 TCP
	service_item example-java-app javaapp $JAVAAPP_SVC app javaapp http 80 http TCP
	service_item kube-system kube-dns $DNS_SVC k8s-app kube-dns dns 53 5353 UDP dns-tcp 53 5353 TCP
	service_item shop cart $CART_SVC app cart http 80 8080 TCP
	echo "kind: List"
	echo "metadata:"
	echo "  resourceVersion: \"\""
}
write_inventory >"$inventory"
say "  ${D}inventory.yaml: what 'kubectl get namespaces,nodes,pods,services,deployments,replicasets -A -o yaml'"
say "  would print for this cluster (--keep DIR keeps it)${N}"
say "  ${D}($(grep -c '^  kind: Pod$' "$inventory") pods, $(grep -c '^  kind: Service$' "$inventory") Services, $(grep -c '^  kind: Deployment$' "$inventory") Deployments and their ReplicaSets, 3 Namespaces, 1 Node)${N}"
say ""
say "  One of its pods, jclient: labels, owner, node and address are what podflow uses."
# The List item that is jclient's Pod.
awk '/^- /{ if (item ~ /\n  kind: Pod\n/ && item ~ /name: jclient-/) printf "%s", item; item = "" }
     { item = item $0 "\n" }' "$inventory" | show

validate "$inventory" inventory "inventory matches the official Kubernetes schemas"

run "$POLICYGEN" import --db "$db" "$inventory"
printf '%s\n' "$out$err" | sed '/^$/d' | show
[ "$status" -eq 0 ] || abort "inventory imported" "policygen import: status $status" "$out$err"
pass "inventory imported: policygen import --db podflow.db inventory.yaml"
say ""
say "  The workloads policygen now knows (policygen workloads), no traffic yet:"
run "$POLICYGEN" workloads --db "$db"
printf '%s\n' "$out" | show

# ---- 3. learning --------------------------------------------------------

heading "podflowd learns the normal traffic ($ROUNDS rounds, one second apart)"

tb_podflowd_config "$TB_TMP/podflowd.yaml" "flush_interval_ms: 1000"
say "  ${D}ip netns exec $TB_NODE podflowd --config podflowd.yaml --db podflow.db${N}"
show <"$TB_TMP/podflowd.yaml"

# traffic POD PROTO ADDR PORT COUNT: COUNT connections from POD's namespace.
traffic_failed=
traffic() {
	tb_in "$TB_PREFIX-$1" "$PFTRAFFIC" connect "$2" "$3" "$4" "$5" 2>>"$TB_TMP/traffic.err" ||
		traffic_failed+=" $1->$3:$4/$2"
}
# One round of what the workloads normally do.  DNS lookups are UDP
# datagrams to the kube-dns ClusterIP (echoed, not real DNS).
normal_traffic() {
	traffic jclient udp $DNS_SVC 53 1       # resolve javaapp
	traffic jclient tcp $JAVAAPP_SVC 80 3   # call javaapp through its Service
	traffic javaapp udp $DNS_SVC 53 1       # resolve the payments API
	traffic javaapp tcp $API_IP 443 1       # call it (masqueraded)
	traffic frontend udp $DNS_SVC 53 1
	traffic frontend tcp $CART_SVC 80 2     # call cart through its Service
	traffic cart udp $DNS_SVC 53 1
}

tb_podflowd_start "$TB_TMP/podflowd.yaml" "$db" >/dev/null 2>&1 ||
	abort "podflowd started in the node namespace" "it did not start" "$(cat "$TB_TMP/podflowd.log" 2>/dev/null)"
learn_start=$(($(date -u +%s) - 1))
for i in $(seq "$ROUNDS"); do
	[ "$i" -gt 1 ] && sleep 1
	normal_traffic
done
kernel_new=$(tb_new_connections)
# SIGTERM: podflowd reads what the kernel queued, flushes and exits.
# Bounded, so that a hang fails the demo instead of stalling it.
kill -TERM "$TB_PODFLOWD"
for _ in $(seq 200); do
	kill -0 "$TB_PODFLOWD" 2>/dev/null || break
	sleep 0.05
done
if kill -0 "$TB_PODFLOWD" 2>/dev/null; then
	kill -KILL "$TB_PODFLOWD"
	wait "$TB_PODFLOWD" 2>/dev/null
	pf_status=timeout
else
	wait "$TB_PODFLOWD"
	pf_status=$?
fi
learn_end=$(($(date -u +%s) + 1))
since=$(rfc3339 "$learn_start")
until=$(rfc3339 "$learn_end")

[ -z "$traffic_failed" ] && pass "normal traffic: every connection answered" ||
	fail "normal traffic: every connection answered" "no answer:$traffic_failed" "$(cat "$TB_TMP/traffic.err")"
[ "$pf_status" = 0 ] || fail "podflowd stopped (SIGTERM flushes)" "exit status $pf_status" "$(cat "$TB_TMP/podflowd.log")"

recorded=$(sql "SELECT coalesce(sum(connections), 0) FROM flow_edges" 2>&1)
edges=$(sql "SELECT count(*) FROM flow_edges" 2>&1)
if [ "$pf_status" = 0 ] && [ "$recorded" = "$kernel_new" ] && [ "$recorded" -gt 0 ] 2>/dev/null; then
	pass "podflowd recorded all $recorded connections the kernel tracked, as $edges edges"
else
	fail "podflowd recorded every connection" "recorded '$recorded', the kernel counted '$kernel_new'" \
		"$(cat "$TB_TMP/podflowd.log")"
fi
attacker_rows=$(sql "SELECT count(*) FROM flow_edges WHERE server_ip = '$ATTACKER_IP' OR client_ip = '$ATTACKER_IP'" 2>&1)
[ "$attacker_rows" = 0 ] && pass "the attacker was never contacted while learning" ||
	fail "the attacker was never contacted while learning" "$attacker_rows flows with $ATTACKER_IP"

say ""
say "  What podflow saw (policygen flows), each end resolved through the inventory:"
run "$POLICYGEN" flows --db "$db" --since "$since" --until "$until"
printf '%s\n' "$out" | show
[ "$status" -eq 0 ] || fail "policygen flows" "status $status" "$err"

# ---- 4. generate --------------------------------------------------------

heading "policygen generate: one NetworkPolicy per workload"
say "  ${D}policygen generate --db podflow.db --since $since --until $until${N}"
run "$POLICYGEN" generate --db "$db" --since "$since" --until "$until"
[ "$status" -eq 0 ] || abort "policies generated" "policygen generate: status $status" "$out$err"
printf '%s\n' "$out" >"$policies"
[ -n "$err" ] && printf '%s\n' "$err" | sed 's/^/note: /' | show
say ""
show <"$policies"
say ""
n_policies=$(grep -c '^kind: NetworkPolicy' "$policies")
if [ "$n_policies" -eq 4 ] && ! grep -q 'namespace: kube-system' "$policies"; then
	pass "4 policies generated (javaapp, jclient, frontend, cart; kube-system left out, as without -A)"
else
	fail "4 policies generated, none in kube-system" "got $n_policies" "$(grep '^  name:' "$policies")"
fi
validate "$policies" policies "policies match the official NetworkPolicy schema"

# ---- 5. check the learning window ---------------------------------------

heading "policygen check: would the policies break the normal traffic?"
say "  ${D}policygen check --db podflow.db --since $since --until $until -f policies.yaml${N}"
run "$POLICYGEN" check --db "$db" --since "$since" --until "$until" -f "$policies"
printf '%s\n' "$out$err" | sed '/^$/d' | show
case $status:$out in
"0:0 of "*) pass "every recorded flow allowed ($(printf '%s\n' "$out" | grep -m1 '^0 of ' | sed 's/ would be denied.*/ denied/'))" ;;
*) fail "every recorded flow allowed" "policygen check: status $status" "$out$err" ;;
esac

# ---- 6. the exploit, with nothing enforced ------------------------------

heading "The log4shell callback, with no NetworkPolicy in force"
say "  ${D}The testbed has no CNI to enforce policies: with nothing applied, the"
say "  vulnerable pods reach the attacker's LDAP server.${N}"
tb_serve "$TB_PREFIX-attacker" tcp 0.0.0.0 1389
tb_listening "$TB_PREFIX-attacker" tcp 1389
run tb_in "$TB_PREFIX-jclient" "$PFTRAFFIC" connect tcp $ATTACKER_IP 1389 1
if [ "$status" -eq 0 ]; then
	say "  jclient -> $ATTACKER_IP:1389/TCP: connected (the exploit would now fetch its payload)"
	pass "without policies, jclient reaches the attacker ($ATTACKER_IP:1389)"
else
	fail "without policies, jclient reaches the attacker" "no answer" "$err"
fi

# ---- 7. check the exploit and the allowed paths -------------------------

heading "policygen check --flow: the same calls, judged by the generated policies"

# verdict WANT 'SRC -> DST:PORT/PROTO' WHAT
verdict() {
	local want=$1 flow=$2 what=$3 want_status=0
	[ "$want" = DENY ] && want_status=1
	say ""
	say "  ${D}policygen check -f policies.yaml --flow '$flow'${N}"
	run "$POLICYGEN" check --db "$db" -f "$policies" --flow "$flow"
	printf '%s\n' "$out$err" | sed '/^$/d' | show
	case $status:$out in
	"$want_status:$want "*) pass "$(printf '%-5s %s  (%s)' "$want" "$flow" "$what")" ;;
	*) fail "$(printf '%-5s %s  (%s)' "$want" "$flow" "$what")" "policygen check: status $status, want $want_status" "$out$err" ;;
	esac
}
verdict DENY "example-java-app/jclient -> $ATTACKER_IP:1389/TCP" "the log4shell callback"
verdict DENY "example-java-app/javaapp -> $ATTACKER_IP:1389/TCP" "the callback from javaapp"
verdict DENY "shop/frontend -> example-java-app/javaapp:8080/TCP" "lateral movement"
verdict ALLOW "example-java-app/javaapp -> $API_IP:443/TCP" "the payments API"
verdict ALLOW "example-java-app/jclient -> kube-system/coredns:5353/UDP" "DNS, after the Service's DNAT"
verdict ALLOW "example-java-app/jclient -> example-java-app/javaapp:8080/TCP" "through the javaapp Service"
verdict ALLOW "shop/frontend -> shop/cart:8080/TCP" "through the cart Service"

# ---- the end ------------------------------------------------------------

# What the run made stays for a look (the README's sqlite3 queries run on
# its podflow.db); the database a backup, so the copy is whole.
keep=${keep:-$BUILD/demo}
if mkdir -p "$keep" && rm -f "$keep/podflow.db" "$keep/podflow.db-wal" "$keep/podflow.db-shm" &&
	cp "$inventory" "$policies" "$TB_TMP/podflowd.yaml" "$TB_TMP/podflowd.log" "$keep"/ &&
	sqlite3 "$db" ".backup '$keep/podflow.db'" &&
	"$POLICYGEN" generate --db "$keep/podflow.db" --since "$since" --until "$until" \
		--output-dir "$keep/policies" 2>/dev/null; then
	say ""
	say "Left in $keep: podflow.db, inventory.yaml, policies.yaml, policies/ (kubectl apply -f), podflowd.yaml, podflowd.log"
	say "  ${D}policygen info --db $keep/podflow.db${N}"
	# The README's cookbook, on what a reader of it has after the demo.
	n=0 empty=
	while IFS= read -r -d $'\x1e' q; do
		n=$((n + 1))
		[ -n "$(sqlite3 -readonly -bail "$keep/podflow.db" "$q" 2>&1)" ] || empty="$empty $n"
	done < <(awk -f "$top/tests/tools/readme-queries.awk" "$top/README.md")
	if [ "$n" -gt 0 ] && [ -z "$empty" ]; then
		pass "the README's $n sqlite3 queries return rows on $keep/podflow.db"
	else
		fail "the README's sqlite3 queries return rows on $keep/podflow.db" "none found, or no rows from query$empty"
	fi
else
	fail "files left in $keep" "could not copy"
fi
summary
[ "$failures" -eq 0 ]
