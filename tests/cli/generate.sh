#!/bin/bash
# policygen generate on the example-java-app scenario: golden output,
# valid against the official schema, and judged by an independent
# evaluator of NetworkPolicy semantics: every observed flow allowed, the
# log4shell callback and everything else unobserved denied.
. "$(dirname "$0")/../lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
golden=$top/tests/golden
schemas=${PODFLOW_K8S_SCHEMAS:-$top/../shared/k8s-openapi}
t_tmpdir generate
db=$tmp/podflow.db

t_javaapp_db "$db"
window=(--since 2026-11-23T07:00:00Z --until 2026-11-23T09:00:00Z --now 2026-11-23T12:00:00Z)
cwindow=(--since 2026-11-23T07:00:00Z --until 2026-11-23T09:00:00Z)

# gen NAME GOLDEN ARGS...: output equal to the golden file, valid, and
# (for the default set) judged right by the evaluator; generate's stderr
# in $gen_err.
gen() {
	local name=$1 gold=$2
	shift 2
	t_case "$name"
	t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" "$@" || return 1
	gen_err=$t_err
	printf '%s\n' "$t_out" >"$tmp/$gold"
	diff -u "$golden/$gold" "$tmp/$gold" >"$tmp/diff"
	t_check "differs from tests/golden/$gold:
$(head -40 "$tmp/diff")" cmp -s "$golden/$gold" "$tmp/$gold" || return 1
	t_case "$name: valid against the NetworkPolicy schema"
	t_run 0 /usr/bin/python3 "$top/tests/tools/k8s_validate.py" "$schemas" "$tmp/$gold"
}

gen "the example-java-app policies" javaapp.yaml -A
t_case "observed flows allowed, the log4shell callback and the unobserved denied"
t_run 0 /usr/bin/python3 "$top/tests/tools/netpol_eval.py" "$db" "$tmp/javaapp.yaml" "$FIXTURES/javaapp.flows"
t_case "a selector that picks another workload's pods is reported"
t_match "$gen_err" "*selector of example-java-app/Deployment/javaapp also selects Pod/javaapp-debug*"
t_case "hostNetwork workloads get no policy, and are named"
t_match "$gen_err" "*kube-system/DaemonSet/kube-proxy runs with hostNetwork*"
t_case "silent workloads are listed"
t_match "$gen_err" "*Pod/javaapp-debug had no traffic in the window; no policy*"

gen "one workload, kube-dns, aggregated outside addresses, port ranges" javaapp-options.yaml \
	--namespace example-java-app --workload deployment/javaapp \
	--dns kube-dns --external-prefix 24 --port-range-threshold 3

t_case "output is byte-for-byte reproducible"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" -A
t_check "second run differs" [ "$t_out" = "$(cat "$tmp/javaapp.yaml")" ]

# Modes.
nl=$'\n'
t_case "--ingress deny --egress allow"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --workload jclient --ingress deny --egress allow
t_match "$t_out" "*  ingress: \[\]$nl  egress:$nl  - {}"
t_case "--ingress allow --egress deny"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --workload jclient --ingress allow --egress deny
t_match "$t_out" "*  ingress:$nl  - {}$nl  egress: \[\]"
t_case "--dns none"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --workload worker --dns none
t_match "$t_out" "*  egress: \[\]"
t_case "--dns any with --dns-ip"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --workload worker --dns any --dns-ip 169.254.20.10
t_match "$t_out" "*cidr: 169.254.20.10/32*port: 53*namespaceSelector: {}*protocol: UDP*port: 53*"
t_case "--allow-internet keeps pods and services out"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" \
	--workload javaapp --namespace example-java-app --allow-internet --service-cidr 10.96.0.0/12
t_nomatch "$t_out" "*198.51.100*"
t_match "$t_out" "*cidr: 0.0.0.0/0$nl        except:$nl        - 10.244.0.0/16$nl        - 10.96.0.0/12*cidr: ::/0*"
t_case "--include-silent and --namespace-default-deny"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" \
	--namespace example-java-app --include-silent --namespace-default-deny
t_match "$t_out" "*name: podflow-default-deny*podSelector: {}*name: podflow-pod-javaapp-debug*status: silent*"

# The system namespaces are left out unless asked for.
t_case "no kube-system policies without -A"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}"
t_nomatch "$t_out" "*namespace: kube-system*"
t_match "$t_out" "*namespace: example-java-app*"
t_equal "$(printf '%s\n' "$t_out" | grep -c '^kind: NetworkPolicy')" 4
t_case "-n kube-system names one"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" -n kube-system
t_match "$t_out" "*name: podflow-deployment-coredns*"
t_nomatch "$t_out" "*namespace: example-java-app*"
t_case "--system-namespace leaves another out"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --system-namespace example-java-app -A
t_match "$t_out" "*namespace: example-java-app*"
t_run 1 "$POLICYGEN" generate --db "$db" "${window[@]}" --system-namespace example-java-app
t_equal "$t_out" ""
t_match "$t_err" "*policygen: 0 policies*policygen: no policies in the namespaces covered in the window"
t_case "-n with -A is refused"
t_run 2 "$POLICYGEN" generate --db "$db" -n shop -A
t_match "$t_err" "*-n and -A (--all-namespaces): give one*"
t_case "a workload as NS/NAME, NS/KIND/NAME, kubectl's kind names"
for w in example-java-app/jclient example-java-app/Deployment/jclient deploy/jclient \
	example-java-app/deployments/jclient; do
	t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --workload "$w"
	t_match "$t_out" "*name: podflow-deployment-jclient*"
	t_equal "$(printf '%s\n' "$t_out" | grep -c '^kind: NetworkPolicy')" 1
done
t_case "a workload of a system namespace, named without it"
t_run 2 "$POLICYGEN" generate --db "$db" "${window[@]}" --workload coredns
t_match "$t_err" "*--workload coredns: not in the namespaces covered; the inventory has kube-system/Deployment/coredns: name its namespace (NAMESPACE/NAME) or give -A*"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --workload kube-system/coredns
t_match "$t_out" "*name: podflow-deployment-coredns*"
t_case "a typo in a workload's name"
t_run 2 "$POLICYGEN" generate --db "$db" "${window[@]}" --workload jclinet
t_match "$t_err" "*--workload jclinet: no such workload; did you mean example-java-app/Deployment/jclient?*"

# Output formats, kubectl's -o.
t_case "-o json is a List kubectl reads"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" -A -o json
printf '%s\n' "$t_out" >"$tmp/javaapp.json"
t_run 0 /usr/bin/python3 -c '
import json, sys, yaml
j = json.load(open(sys.argv[1]))
y = [d for d in yaml.safe_load_all(open(sys.argv[2])) if d]
assert j["kind"] == "List" and j["apiVersion"] == "v1", j.keys()
assert j["items"] == y, "the JSON items are not the YAML documents"
print(len(j["items"]))' "$tmp/javaapp.json" "$tmp/javaapp.yaml"
t_equal "$t_out" 5
t_case "-o json of one policy is a List too, as kubectl's queries"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --workload jclient -o json
t_equal "$(printf '%s\n' "$t_out" | python3 -c 'import json, sys; l = json.load(sys.stdin); print(l["kind"], len(l["items"]), l["items"][0]["kind"])')" "List 1 NetworkPolicy"
t_case "-o name"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" -o name
t_equal "$t_out" "networkpolicy.networking.k8s.io/podflow-deployment-javaapp
networkpolicy.networking.k8s.io/podflow-deployment-jclient
networkpolicy.networking.k8s.io/podflow-deployment-legacy
networkpolicy.networking.k8s.io/podflow-deployment-worker"
t_case "-o FILE, as before kubectl's -o, names the fix"
t_run 2 "$POLICYGEN" generate --db "$db" "${window[@]}" -o "$tmp/out.yaml"
t_match "$t_err" "*-o: '$tmp/out.yaml' is not an output format (yaml, json, name): write one file per policy with --output-dir DIR, or redirect stdout*"
t_check "nothing written" [ ! -e "$tmp/out.yaml" ]
t_run 2 "$POLICYGEN" generate --db "$db" -o wide
t_match "$t_err" "*-o: 'wide' is not an output format; this command's: yaml, json, name*"

# --output-dir: flat, what kubectl apply -f DIR reads, the stale removed.
t_case "--output-dir DIR"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" -A --output-dir "$tmp/policies"
t_equal "$(cd "$tmp/policies" && ls)" "example-java-app.podflow-deployment-javaapp.yaml
example-java-app.podflow-deployment-jclient.yaml
example-java-app.podflow-deployment-legacy.yaml
example-java-app.podflow-deployment-worker.yaml
kube-system.podflow-deployment-coredns.yaml"
t_match "$t_err" "*policygen: 5 policies in $tmp/policies"
t_equal "$(cat "$tmp"/policies/*.yaml)" "$(cat "$tmp/javaapp.yaml")"
if command -v kubectl >/dev/null; then
	t_case "kubectl reads the directory as apply does, without -R"
	t_run 0 kubectl label --local -f "$tmp/policies" checked=yes -o name
	t_equal "$t_out" "$(printf 'networkpolicy.networking.k8s.io/%s\n' podflow-deployment-javaapp \
		podflow-deployment-jclient podflow-deployment-legacy podflow-deployment-worker \
		podflow-deployment-coredns)"
fi
t_case "--output-dir removes what podflow wrote and no longer writes, in its scope"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mine, namespace: example-java-app}\n' \
	>"$tmp/policies/example-java-app.mine.yaml"
sed 's/podflow-deployment-worker/podflow-deployment-gone/' \
	"$tmp/policies/example-java-app.podflow-deployment-worker.yaml" \
	>"$tmp/policies/example-java-app.podflow-deployment-gone.yaml"
sed 's/podflow-deployment-worker/hand-written/; /managed-by/d' \
	"$tmp/policies/example-java-app.podflow-deployment-worker.yaml" \
	>"$tmp/policies/example-java-app.hand-written.yaml"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --output-dir "$tmp/policies" --workload jclient
t_check "a --workload run removes nothing" [ -f "$tmp/policies/example-java-app.podflow-deployment-gone.yaml" ]
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --output-dir "$tmp/policies"
t_match "$t_err" "*4 policies in $tmp/policies; 1 old file removed"
t_equal "$(cd "$tmp/policies" && ls)" "example-java-app.hand-written.yaml
example-java-app.mine.yaml
example-java-app.podflow-deployment-javaapp.yaml
example-java-app.podflow-deployment-jclient.yaml
example-java-app.podflow-deployment-legacy.yaml
example-java-app.podflow-deployment-worker.yaml
kube-system.podflow-deployment-coredns.yaml"
t_case "--output-dir leaves alone what podflow did not write there as its own"
mkdir "$tmp/mixed"
"$POLICYGEN" generate --db "$db" "${window[@]}" -A >"$tmp/mixed/all.yaml" 2>/dev/null
"$POLICYGEN" generate --db "$db" "${window[@]}" -n kube-system >"$tmp/mixed/kube-system-dns.yaml" 2>/dev/null
"$POLICYGEN" generate --db "$db" "${window[@]}" --workload jclient >"$tmp/mixed/example-java-app.renamed.yaml" 2>/dev/null
sed 's/namespace: example-java-app/namespace: other/' "$tmp/policies/example-java-app.podflow-deployment-jclient.yaml" \
	>"$tmp/mixed/example-java-app.podflow-deployment-gone.yaml"
mkfifo "$tmp/mixed/example-java-app.fifo.yaml"
before=$(ls "$tmp/mixed")
t_run 0 timeout 20 "$POLICYGEN" generate --db "$db" "${window[@]}" --output-dir "$tmp/mixed"
t_match "$t_err" "*4 policies in $tmp/mixed"
t_equal "$(ls "$tmp/mixed" | grep -v '^example-java-app.podflow-deployment-\(javaapp\|jclient\|legacy\|worker\).yaml$')" "$before"
t_case "--output-dir: nothing made (no inventory) removes nothing"
cp "$db" "$tmp/none-inv.db"
sqlite3 "$tmp/none-inv.db" "DELETE FROM pod; DELETE FROM namespace; DELETE FROM service; DELETE FROM node; DELETE FROM owner"
before=$(ls "$tmp/policies")
t_run 1 "$POLICYGEN" generate --db "$tmp/none-inv.db" "${window[@]}" --output-dir "$tmp/policies"
t_equal "$(ls "$tmp/policies")" "$before"
t_nomatch "$t_err" "*removed*"
t_case "--output-dir: a run that left a workload out removes nothing"
cp "$db" "$tmp/left.db"
sqlite3 "$tmp/left.db" "UPDATE pod SET name = 'Bad_Pod', workload_kind = 'Pod', workload_name = 'Bad_Pod' WHERE name LIKE 'worker-%'"
t_run 1 "$POLICYGEN" generate --db "$tmp/left.db" "${window[@]}" --output-dir "$tmp/policies"
t_check "worker's file stays" [ -f "$tmp/policies/example-java-app.podflow-deployment-worker.yaml" ]
t_case "--output-dir: a temporary a killed run left is swept"
: >"$tmp/policies/.podflow.999999999.0.tmp"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --output-dir "$tmp/policies"
t_check "$(ls -A "$tmp/policies")" [ ! -e "$tmp/policies/.podflow.999999999.0.tmp" ]
t_case "--output-dir: -o json replaces the YAML files it wrote"
cp -r "$tmp/policies" "$tmp/tojson"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --output-dir "$tmp/tojson" -o json
t_equal "$(ls "$tmp/tojson" | grep '\.yaml$')" "example-java-app.hand-written.yaml
example-java-app.mine.yaml
kube-system.podflow-deployment-coredns.yaml"
t_equal "$(ls "$tmp/tojson" | grep -c '\.json$')" 4
t_case "--output-dir: a name past a file name's 255 bytes is shortened, and known again"
cp "$db" "$tmp/long.db"
L=$(printf 'a%.0s' $(seq 40)).$(printf 'b%.0s' $(seq 60)).$(printf 'c%.0s' $(seq 60)).$(printf 'd%.0s' $(seq 60)).eeeeeeeeee
sqlite3 "$tmp/long.db" "UPDATE owner SET name = '$L' WHERE name = 'worker' AND kind = 'Deployment';
	UPDATE owner SET owner_name = '$L' WHERE owner_name = 'worker';
	UPDATE pod SET workload_name = '$L' WHERE workload_name = 'worker'"
t_run 0 "$POLICYGEN" generate --db "$tmp/long.db" "${window[@]}" --output-dir "$tmp/long"
long=$(ls "$tmp/long" | grep aaaa)
t_check "$long" [ "${#long}" -le 255 ]
t_match "$long" "example-java-app.podflow-deployment-aaaa*-[0-9a-f]*.yaml"
t_run 0 "$POLICYGEN" generate --db "$tmp/long.db" "${window[@]}" --output-dir "$tmp/long"
t_equal "$(ls "$tmp/long" | grep aaaa)" "$long"
t_nomatch "$t_err" "*removed*"
sqlite3 "$tmp/long.db" "UPDATE owner SET name = 'worker' WHERE name = '$L';
	UPDATE owner SET owner_name = 'worker' WHERE owner_name = '$L';
	UPDATE pod SET workload_name = 'worker' WHERE workload_name = '$L'"
t_run 0 "$POLICYGEN" generate --db "$tmp/long.db" "${window[@]}" --output-dir "$tmp/long"
t_match "$t_err" "*; 1 old file removed"
t_equal "$(ls "$tmp/long" | grep -c aaaa)" 0
t_case "--output-dir: a policy written in the other format replaces its old file"
cp -r "$tmp/policies" "$tmp/twins"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --output-dir "$tmp/twins" -o json --workload jclient
t_check "the old YAML file is gone" [ ! -e "$tmp/twins/example-java-app.podflow-deployment-jclient.yaml" ]
t_check "the JSON file is there" [ -f "$tmp/twins/example-java-app.podflow-deployment-jclient.json" ]
if unshare -pf --mount-proc true 2>/dev/null; then
	t_case "--output-dir: a temporary a killed run of the same pid left (pid 1, in a container)"
	: >"$tmp/twins/.podflow.1.0.tmp"
	t_run 0 unshare -pf --mount-proc "$POLICYGEN" generate --db "$db" "${window[@]}" --output-dir "$tmp/twins"
	t_check "$(ls -A "$tmp/twins")" [ ! -e "$tmp/twins/.podflow.1.0.tmp" ]
fi
t_case "-o json --output-dir, -o name lists what was written"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --output-dir "$tmp/json" -o json --workload jclient
t_equal "$(ls "$tmp/json")" "example-java-app.podflow-deployment-jclient.json"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --output-dir "$tmp/json" -o name --workload jclient
t_equal "$t_out" "networkpolicy.networking.k8s.io/podflow-deployment-jclient"
t_case "a file a rename cannot replace: the directory is left as it was"
mkdir -p "$tmp/keep/example-java-app.podflow-deployment-worker.yaml/x"
cp "$tmp/policies/example-java-app.podflow-deployment-jclient.yaml" "$tmp/keep/"
sed -i 's/^/#/' "$tmp/keep/example-java-app.podflow-deployment-jclient.yaml"
before=$(cd "$tmp/keep" && ls -A && cat ./*.yaml)
t_run 3 "$POLICYGEN" generate --db "$db" "${window[@]}" --output-dir "$tmp/keep"
t_match "$t_err" "*policygen: $tmp/keep/example-java-app.podflow-deployment-worker.yaml: not a regular file; nothing was written"
t_equal "$(cd "$tmp/keep" && ls -A && cat ./*.yaml)" "$before"
if mkdir "$tmp/small" && mount -t tmpfs -o size=64k tmpfs "$tmp/small" 2>/dev/null; then
	t_case "a full disk: the directory is left as it was"
	cp "$tmp/policies/example-java-app.podflow-deployment-jclient.yaml" "$tmp/small/"
	head -c 60k /dev/zero >"$tmp/small/fill" 2>/dev/null
	t_run 3 "$POLICYGEN" generate --db "$db" "${window[@]}" --output-dir "$tmp/small"
	t_match "$t_err" "*No space left on device*"
	t_equal "$(ls -A "$tmp/small")" "example-java-app.podflow-deployment-jclient.yaml
fill"
	umount "$tmp/small"
fi

# --before-dnat: for a plugin that matches egress before the Service's
# DNAT, the ClusterIP and port dialled beside the backend.
t_case "--before-dnat adds each Service's ClusterIP and port"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --workload jclient
t_nomatch "$t_out" "*10.96.*"
plain=$t_out
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --workload jclient --before-dnat
t_match "$t_out" "*  - to:$nl    - ipBlock:$nl        cidr: 10.96.0.10/32$nl    ports:$nl    - protocol: UDP$nl      port: 53$nl*"
t_match "$t_out" "*  - to:$nl    - ipBlock:$nl        cidr: 10.96.0.20/32$nl    ports:$nl    - protocol: TCP$nl      port: 80$nl*"
t_case "--before-dnat keeps the backend's rule, and the status"
t_match "$t_out" "*podSelector:$nl        matchLabels:$nl          app: javaapp$nl    ports:$nl    - protocol: TCP$nl      port: 8080*"
t_equal "$(printf '%s\n' "$t_out" | grep newest-entry)" "$(printf '%s\n' "$plain" | grep newest-entry)"
printf '%s\n' "$t_out" >"$tmp/dnat.yaml"
t_run 0 /usr/bin/python3 "$top/tests/tools/k8s_validate.py" "$schemas" "$tmp/dnat.yaml"
t_case "--before-dnat --dns kube-dns: kube-dns's ClusterIP on UDP and TCP 53"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --workload jclient --before-dnat --dns kube-dns
t_match "$t_out" "*cidr: 10.96.0.10/32$nl    ports:$nl    - protocol: TCP$nl      port: 53$nl    - protocol: UDP$nl      port: 53$nl*"
t_equal "$(printf '%s\n' "$t_out" | grep -c 'cidr: 10.96.0.10/32')" 1
t_case "--before-dnat: a rejected backend takes its ClusterIP with it"
cp "$db" "$tmp/dnat.db"
"$POLICYGEN" review reject example-java-app/jclient egress example-java-app/javaapp --db "$tmp/dnat.db" --by t >/dev/null 2>&1
t_run 0 "$POLICYGEN" generate --db "$tmp/dnat.db" "${window[@]}" --workload jclient --before-dnat
t_nomatch "$t_out" "*10.96.0.20*"
t_match "$t_out" "*cidr: 10.96.0.10/32*"
t_run 0 "$POLICYGEN" review list --db "$tmp/dnat.db" "${cwindow[@]}" --workload jclient --before-dnat
t_line "$t_out" '^example-java-app/Deployment/jclient +egress +10\.96\.0\.20/32 +80/TCP .* rejected +t '

t_case "--before-dnat: a ClusterIP over two backends is one rule"
cp "$db" "$tmp/canary.db"
{
	. "$FIXTURES/javaapp-flows.sh" >/dev/null
	edge 08:10:00 10.244.1.11 10.244.1.30 8080 6 4 10.96.0.20 80
} | sqlite3 "$tmp/canary.db"
t_run 0 "$POLICYGEN" generate --db "$tmp/canary.db" "${window[@]}" --workload jclient --before-dnat
t_equal "$(printf '%s\n' "$t_out" | grep -c 'cidr: 10.96.0.20/32')" 1
t_equal "$(printf '%s\n' "$t_out" | grep -c '^      port: 80$')" 1
t_match "$t_out" "*app: worker*"
t_case "--before-dnat: review list shows such a ClusterIP once, its connections summed"
t_run 0 "$POLICYGEN" review list --db "$tmp/canary.db" "${cwindow[@]}" --workload jclient --before-dnat
t_equal "$(printf '%s\n' "$t_out" | grep -c ' 10\.96\.0\.20/32 ')" 1
t_line "$t_out" '^example-java-app/Deployment/jclient +egress +10\.96\.0\.20/32 +80/TCP +24 '
t_case "--before-dnat: a ClusterIP whose backend is a node follows the node's decision"
cp "$db" "$tmp/apiserver.db"
t_run 0 "$POLICYGEN" generate --db "$tmp/apiserver.db" "${window[@]}" --workload javaapp --before-dnat
t_match "$t_out" "*cidr: 10.96.0.1/32*"
"$POLICYGEN" review reject example-java-app/javaapp egress 192.168.0.10 --db "$tmp/apiserver.db" --by t >/dev/null 2>&1
t_run 0 "$POLICYGEN" generate --db "$tmp/apiserver.db" "${window[@]}" --workload javaapp --before-dnat
t_nomatch "$t_out" "*10.96.0.1/32*"
t_case "--before-dnat --dns any: another DNS Service's ClusterIP too, kube-dns's once"
cp "$db" "$tmp/dnsany.db"
{
	. "$FIXTURES/javaapp-flows.sh" >/dev/null
	edge 08:20:00 10.244.1.11 10.244.0.3 5353 17 3 10.96.0.53 53
} | sqlite3 "$tmp/dnsany.db"
t_run 0 "$POLICYGEN" generate --db "$tmp/dnsany.db" "${window[@]}" --workload jclient --before-dnat --dns any
t_match "$t_out" "*cidr: 10.96.0.53/32$nl    ports:$nl    - protocol: UDP$nl      port: 53*"
t_equal "$(printf '%s\n' "$t_out" | grep -c 'cidr: 10.96.0.10/32')" 1
t_run 0 "$POLICYGEN" generate --db "$tmp/dnsany.db" "${window[@]}" --workload jclient --before-dnat --dns kube-dns --dns-ip 10.96.0.10
t_equal "$(printf '%s\n' "$t_out" | grep -c 'cidr: 10.96.0.10/32')" 1
t_case "--before-dnat: rejecting one backend of two takes the ClusterIP with it"
"$POLICYGEN" review reject example-java-app/jclient egress example-java-app/worker --db "$tmp/canary.db" --by t >/dev/null 2>&1
t_run 0 "$POLICYGEN" generate --db "$tmp/canary.db" "${window[@]}" --workload jclient --before-dnat
t_nomatch "$t_out" "*10.96.0.20*"
t_nomatch "$t_out" "*app: worker*"
t_match "$t_out" "*app: javaapp*"

# Two nodes' databases: the client's node saw jclient's calls through the
# Service; the server's node saw the same connections arrive directly.
# They count once, and what only the second node saw is added.
cp "$db" "$tmp/node-b.db"
{
	echo "DELETE FROM edge;"
	. "$FIXTURES/javaapp-flows.sh" >/dev/null
	edge 08:00:00 10.244.1.11 10.244.1.10 8080 6 20
	edge 08:30:00 10.244.1.10 198.51.100.50 443 6 2 '' 0 192.168.0.10
} | sqlite3 "$tmp/node-b.db"
t_case "a connection seen on two nodes counts once"
t_run 0 "$POLICYGEN" generate --db "$db" --db "$tmp/node-b.db" "${window[@]}"
printf '%s\n' "$t_out" >"$tmp/two.yaml"
t_match "$t_out" '*name: podflow-deployment-jclient*podflow.io/connections: "61"*'
t_case "what only one node saw is allowed too"
t_check "no 198.51.100.50" grep -q 'cidr: 198.51.100.50/32' "$tmp/two.yaml"

t_case "--explain shows each rule's flows, database and Service"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --workload jclient --explain
t_match "$t_err" "*egress  example-java-app/Deployment/javaapp*8080/TCP*21 conns*podflow.db  via example-java-app/javaapp*"

# Status: learning while a new entry (direction, peer, port, protocol) is
# less than --stable-after old, ever, not in the window.  jclient goes on
# calling javaapp every minute until noon.
cp "$db" "$tmp/steady.db"
{
	. "$FIXTURES/javaapp-flows.sh" >/dev/null
	for h in 08 09 10 11; do
		for m in $(seq -w 0 59); do edge "$h:$m:00" 10.244.1.11 10.244.1.10 8080 6 1; done
	done
} | sqlite3 "$tmp/steady.db"
newest="podflow.io/newest-entry: 2026-11-23T08:00:03Z egress example-java-app/Deployment/javaapp 8080/TCP"
t_case "the same peer every minute for hours is stable"
t_run 0 "$POLICYGEN" generate --db "$tmp/steady.db" --now 2026-11-23T12:00:00Z --workload jclient
t_match "$t_out" "*$newest$nl*podflow.io/status: stable$nl*"
t_case "an entry first seen before --since is as old as it is"
t_run 0 "$POLICYGEN" generate --db "$tmp/steady.db" --since 2026-11-23T11:00:00Z --now 2026-11-23T12:00:00Z --workload jclient
t_match "$t_out" "*$newest$nl*podflow.io/status: stable$nl*podflow.io/window: 2026-11-23T11:00:00Z/2026-11-23T12:00:00Z*"
t_case "a new peer ten minutes before --now is learning, and named"
{
	. "$FIXTURES/javaapp-flows.sh" >/dev/null
	edge 11:50:00 10.244.1.11 203.0.113.50 443 6 1
} | sqlite3 "$tmp/steady.db"
t_run 0 "$POLICYGEN" generate --db "$tmp/steady.db" --since 2026-11-23T11:00:00Z --now 2026-11-23T12:00:00Z --workload jclient
t_match "$t_out" "*podflow.io/newest-entry: 2026-11-23T11:50:03Z egress 203.0.113.50/32 443/TCP$nl*podflow.io/status: learning$nl*"
t_case "--stable-after 5m: ten minutes is old enough"
t_run 0 "$POLICYGEN" generate --db "$tmp/steady.db" --now 2026-11-23T12:00:00Z --workload jclient --stable-after 5m
t_match "$t_out" "*podflow.io/status: stable$nl*"
t_case "a bad --stable-after"
t_run 2 "$POLICYGEN" generate --db "$tmp/steady.db" --stable-after 2026-11-23T12:00:00Z
t_match "$t_err" "*--stable-after: '2026-11-23T12:00:00Z' is not a duration like 30m or 1h*"

# Warnings: lost events in the window, an outside peer set that churns.
cp "$db" "$tmp/warn.db"
{
	echo "INSERT INTO collector_counter (name, value, updated) VALUES ('enobufs', 3, $(date -u -d 2026-11-23T08:00:00Z +%s));"
	. "$FIXTURES/javaapp-flows.sh" >/dev/null
	for i in 1 2 3 4 5 6 7 8; do edge 08:40:00 10.244.1.11 192.0.2.$i 443 6 1; done
} | sqlite3 "$tmp/warn.db"
t_case "lost events in the window are reported"
t_run 0 "$POLICYGEN" generate --db "$tmp/warn.db" "${window[@]}" --workload jclient
t_match "$t_err" "*podflowd reported 3 lost-event episodes*"
t_case "churning outside peers are reported"
t_match "$t_err" "*Deployment/jclient reaches 8 outside addresses on 443/TCP*--external-prefix*"

# Errors.
t_case "an unknown workload"
t_run 2 "$POLICYGEN" generate --db "$db" --workload nosuch
t_match "$t_err" "*--workload nosuch: no such workload*"
cp "$db" "$tmp/ambiguous.db"
printf 'kind: Pod\nmetadata:\n  name: jclient\n  namespace: example-java-app\n  uid: 7e57da7a-ffff-4000-8000-000000000001\n  labels: {run: jclient}\nstatus:\n  podIPs: [{ip: 10.244.1.99}]\n' |
	"$POLICYGEN" import --db "$tmp/ambiguous.db" --watch - >/dev/null
t_case "a bare --workload NAME of several kinds"
t_run 2 "$POLICYGEN" generate --db "$tmp/ambiguous.db" --workload jclient
t_match "$t_err" "*--workload jclient matches 2 workloads (example-java-app/Deployment/jclient, example-java-app/Pod/jclient): give KIND/NAME or NAMESPACE/KIND/NAME"
t_case "a bad mode"
t_run 2 "$POLICYGEN" generate --db "$db" --ingress sometimes

# A store written before import checked names and labels: a workload no
# valid policy can name is left out with a warning, the rest are made and
# pass check, and the exit status is 1.  A peer whose selector no policy
# may hold is its addresses.
cp "$db" "$tmp/old.db"
sqlite3 "$tmp/old.db" "UPDATE pod SET name = 'Bad_Pod', workload_kind = 'Pod', workload_name = 'Bad_Pod' WHERE name LIKE 'worker-%';
	UPDATE owner SET selector = '{\"matchLabels\":{\"app\":\"a b\"}}' WHERE name = 'jclient'"
t_case "invalid workloads are left out, the others made"
t_run 1 "$POLICYGEN" generate --db "$tmp/old.db" "${window[@]}" --output-dir "$tmp/old"
t_match "$t_err" "*warning: example-java-app/Pod/Bad_Pod: its name 'Bad_Pod' is not a DNS-1123 subdomain; no valid policy can be made for it, left out*"
t_match "$t_err" "*warning: example-java-app/Deployment/jclient: its selector: label value 'a b' of app is not valid;*left out*"
t_match "$t_err" "*policygen: 2 policies in $tmp/old; 2 workloads left out (above)"
t_check "javaapp's policy is there" [ -f "$tmp/old/example-java-app.podflow-deployment-javaapp.yaml" ]
# As a peer, it is only evidence: coredns's newest entry is from its pods.
t_check "no policy is Bad_Pod's, nor names it but as evidence" \
	[ -z "$(find "$tmp/old" -iname '*bad_pod*'; grep -rih bad_pod "$tmp/old" | grep -v '^    podflow.io/newest-entry: ')" ]
t_case "the peer with the bad selector is its addresses"
t_nomatch "$(cat "$tmp/old/example-java-app.podflow-deployment-javaapp.yaml")" "*a b*"
t_match "$(cat "$tmp/old/example-java-app.podflow-deployment-javaapp.yaml")" "*cidr: 10.244.1.11/32*"
t_case "what was made passes check's reading"
t_run 0 "$POLICYGEN" check --db "$tmp/old.db" --since 2026-11-23T07:00:00Z --until 2026-11-23T09:00:00Z -f "$tmp/old/"
t_case "--namespace-default-deny makes none for a namespace no policy may name"
cp "$db" "$tmp/escape.db"
sqlite3 "$tmp/escape.db" "UPDATE pod SET namespace = '../../escape' WHERE name LIKE 'worker-%';
	UPDATE owner SET namespace = '../../escape' WHERE name LIKE 'worker%'"
t_run 1 "$POLICYGEN" generate --db "$tmp/escape.db" "${window[@]}" -A --namespace-default-deny --output-dir "$tmp/esc"
t_check "nothing outside the directory: $(find "$tmp" -name '*podflow-default-deny.yaml')" \
	[ -z "$(find "$tmp" -path "$tmp/esc" -prune -o -name '*podflow-default-deny.yaml' -print)" ]
t_check "the others' default denies are there" [ -f "$tmp/esc/example-java-app.podflow-default-deny.yaml" ]
t_case "one bad workload does not stop --namespace elsewhere"
t_run 0 "$POLICYGEN" generate --db "$tmp/old.db" "${window[@]}" --namespace kube-system

t_done
