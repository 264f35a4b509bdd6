#!/bin/bash
# policygen check on the example-java-app scenario: the generated policies
# replayed against the window they were learnt from deny nothing; --flow
# agrees with every verdict of tests/fixtures/javaapp.flows (which the
# independent evaluator checks too); a policy that misses traffic is
# caught; invalid manifests are refused with file, document and line.
. "$(dirname "$0")/../lib.sh"

t_tmpdir check
db=$tmp/podflow.db

t_javaapp_db "$db"
window=(--since 2026-11-23T07:00:00Z --until 2026-11-23T09:00:00Z)
"$POLICYGEN" generate --db "$db" "${window[@]}" --now 2026-11-23T12:00:00Z -A >"$tmp/policies.yaml" 2>/dev/null ||
	{ t_fail "generate" "failed"; exit 1; }

t_case "generated policies deny nothing of their own window"
t_run 0 "$POLICYGEN" check --db "$db" "${window[@]}" -f "$tmp/policies.yaml"
t_match "$t_out" "0 of 13 flows would be denied*by 5 policies; 1 ICMP*"

# Every verdict of the fixture, as --flow.
while read -r src dst port proto want; do
	case $src in '#'* | '') continue ;; esac
	spec="$src -> $dst:$port/$proto"
	status=0
	[ "$want" = DENY ] && status=1
	t_case "--flow '$spec' is $want"
	t_run "$status" "$POLICYGEN" check --db "$db" -f "$tmp/policies.yaml" --flow "$spec"
	t_match "$t_out" "$want *"
done <"$FIXTURES/javaapp.flows"

# The log4shell callback: denied at jclient's egress, and the reason names
# the policy that isolates it and where it is.
t_case "the log4shell callback is denied, with the reason"
t_run 1 "$POLICYGEN" check --db "$db" -f "$tmp/policies.yaml" \
	--flow 'example-java-app/jclient -> 203.0.113.66:1389/TCP' \
	--flow 'example-java-app/Deployment/jclient -> example-java-app/javaapp:http/TCP'
t_match "$t_out" "DENY  example-java-app/Deployment/jclient -> 203.0.113.66:1389/TCP*egress: denied: example-java-app/Deployment/jclient is isolated by example-java-app/podflow-deployment-jclient ($tmp/policies.yaml:*no egress rule allows 203.0.113.66:1389/TCP*ALLOW example-java-app/Deployment/jclient -> example-java-app/Deployment/javaapp:http/TCP (port 8080)*"

# A pod's own node is always allowed, whatever the policies say.
t_case "traffic from a pod's own node is allowed"
t_run 0 "$POLICYGEN" check --db "$db" -f "$tmp/policies.yaml" --flow '192.168.0.10 -> example-java-app/jclient:8080/TCP'
t_match "$t_out" "ALLOW node/node-a -> example-java-app/Deployment/jclient:8080/TCP*ingress: between example-java-app/Deployment/jclient and its own node: always allowed*"

# Policies from a directory, from stdin, and as a kubectl List.
mkdir -p "$tmp/dir"
"$POLICYGEN" generate --db "$db" "${window[@]}" --now 2026-11-23T12:00:00Z -A --output-dir "$tmp/dir" 2>/dev/null
t_case "policies from a directory"
t_run 0 "$POLICYGEN" check --db "$db" "${window[@]}" -f "$tmp/dir"
t_case "policies from stdin"
t_run 0 bash -c "'$POLICYGEN' check --db '$db' ${window[*]} -f - <'$tmp/policies.yaml'"
/usr/bin/python3 -c '
import sys, yaml
items = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items}, open(sys.argv[2], "w"))
' "$tmp/policies.yaml" "$tmp/list.yaml"
t_case "policies as a kubectl List"
t_run 0 "$POLICYGEN" check --db "$db" "${window[@]}" -f "$tmp/list.yaml"

# A namespace-wide egress deny added to what is applied: every flow out of
# example-java-app is caught, and said to be denied by that egress.
cat >"$tmp/deny-egress.yaml" <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-egress
  namespace: example-java-app
spec:
  podSelector:
    matchLabels:
      app: jclient
  policyTypes:
  - Egress
YAML
t_case "a policy that misses traffic is caught"
t_run 1 "$POLICYGEN" check --db "$db" "${window[@]}" -f "$tmp/deny-egress.yaml"
t_match "$t_out" "*example-java-app/Deployment/jclient*example-java-app/Deployment/javaapp*8080/TCP*20*egress (example-java-app/deny-egress)*2 of * flows would be denied (61 connections: 2 by egress, 0 by ingress rules) by 1 policy*"

# IPv6 in brackets.
t_case "--flow with an [IPv6] destination"
t_run 0 "$POLICYGEN" check --db "$db" -f "$tmp/policies.yaml" \
	--flow 'example-java-app/javaapp -> [2001:db8:40::443]:443/TCP'
t_match "$t_out" "ALLOW example-java-app/Deployment/javaapp -> 2001:db8:40::443:443/TCP*"

# The same connections recorded by two nodes count once.
cp "$db" "$tmp/node-b.db"
t_case "two databases: a connection seen twice counts once"
t_run 1 "$POLICYGEN" check --db "$db" --db "$tmp/node-b.db" "${window[@]}" -f "$tmp/deny-egress.yaml"
t_match "$t_out" "*2 of 13 flows would be denied (61 connections*"

# SNAT: the server's policies see the address the client was rewritten
# to, as generate names it.
cp "$db" "$tmp/snat.db"
b=$(date -u -d 2026-11-23T08:40:00Z +%s)
sqlite3 "$tmp/snat.db" "INSERT INTO edge (bucket, client_ip, server_ip, server_port, protocol, service_ip, service_port, client_nat_ip, first_seen, last_seen, connections) VALUES ($b, '203.0.113.9', '10.244.1.10', 8080, 6, '', 0, '192.168.0.11', $b, $b + 5, 4);"
"$POLICYGEN" generate --db "$tmp/snat.db" "${window[@]}" --now 2026-11-23T12:00:00Z -A >"$tmp/snat.yaml" 2>/dev/null
t_case "SNAT: generated policies allow what the server saw"
t_run 0 "$POLICYGEN" check --db "$tmp/snat.db" "${window[@]}" -f "$tmp/snat.yaml"
sed 's|192.168.0.11/32|203.0.113.9/32|' "$tmp/snat.yaml" >"$tmp/snat-wrong.yaml"
t_case "SNAT: allowing the original client instead is caught"
t_run 1 "$POLICYGEN" check --db "$tmp/snat.db" "${window[@]}" -f "$tmp/snat-wrong.yaml"
t_match "$t_out" "*203.0.113.9*example-java-app/Deployment/javaapp*8080/TCP*ingress (example-java-app/podflow-deployment-javaapp)*1 of 14 flows*"

t_case "--flow takes kubectl's names of the kinds"
t_run 1 "$POLICYGEN" check --db "$db" -f "$tmp/policies.yaml" --flow 'example-java-app/deploy/jclient -> 203.0.113.66:1389/TCP'
t_match "$t_out" "DENY  example-java-app/Deployment/jclient -> 203.0.113.66:1389/TCP*"

# -o yaml|json: the same answer as objects, the same exit status.
t_case "check -o json: the counts and the denied flows"
t_run 1 "$POLICYGEN" check --db "$db" "${window[@]}" -f "$tmp/deny-egress.yaml" -o json
t_equal "$(printf '%s\n' "$t_out" | python3 -c 'import json, sys; r = json.load(sys.stdin); d = r["deniedFlows"][0]; print(r["denied"], r["deniedByEgress"], d["source"], d["destination"], d["port"], d["protocol"], d["deniedBy"]["egress"])')" \
	"2 2 example-java-app/Deployment/jclient example-java-app/Deployment/javaapp 8080 TCP example-java-app/deny-egress"
t_case "check --flow -o yaml: each verdict with its reasons"
t_run 1 "$POLICYGEN" check --db "$db" -f "$tmp/policies.yaml" -o yaml \
	--flow 'example-java-app/jclient -> 203.0.113.66:1389/TCP' --flow 'example-java-app/jclient -> example-java-app/javaapp:8080/TCP'
t_equal "$(printf '%s\n' "$t_out" | python3 -c 'import sys, yaml; l = yaml.safe_load(sys.stdin); print([(v["verdict"], v["egress"]["reason"], v["ingress"]["reason"]) for v in l])')" \
	"[('DENY', 'NoRuleAllows', 'NotAPod'), ('ALLOW', 'AllowedByRule', 'AllowedByRule')]"
t_case "check --flow -o json: a bad --flow writes nothing, and says why"
t_run 2 "$POLICYGEN" check --db "$db" -f "$tmp/policies.yaml" -o json \
	--flow 'example-java-app/jclient -> 203.0.113.66:1389/TCP' --flow 'example-java-app/nosuch -> 203.0.113.66:1389/TCP'
t_equal "$t_out" ""
t_match "$t_err" "*--flow 'example-java-app/nosuch -> 203.0.113.66:1389/TCP'*"

# No policy among the inputs: a mistake (an empty directory, the
# inventory's file), never a pass.
printf '' >"$tmp/empty.yaml"
mkdir "$tmp/emptydir"
t_case "no NetworkPolicy among the inputs: exit 1, says why"
t_run 1 "$POLICYGEN" check --db "$db" "${window[@]}" -f "$tmp/empty.yaml"
t_equal "$t_err" "policygen: no NetworkPolicy in $tmp/empty.yaml: nothing to check against; give the files of the policies (what generate --output-dir writes, or kubectl get networkpolicies -A -o yaml)"
t_equal "$t_out" ""
t_run 1 "$POLICYGEN" check --db "$db" "${window[@]}" -f "$tmp/emptydir"
t_run 1 "$POLICYGEN" check --db "$db" "${window[@]}" -f "$FIXTURES/cluster.yaml"
t_match "$t_err" "*objects that are not NetworkPolicies left out*no NetworkPolicy in $FIXTURES/cluster.yaml*"
t_case "no flows in the window: exit 1, says why"
t_run 1 "$POLICYGEN" check --db "$db" --since 2026-11-25T00:00:00Z --until 2026-11-26T00:00:00Z -f "$tmp/policies.yaml"
t_match "$t_err" "*policygen: no flows recorded in the window: nothing to check*"

# Invalid input: exit 2, one line naming file, document and line.
{
	cat "$tmp/deny-egress.yaml"
	echo '---'
	sed -e 's/deny-egress/bad/' -e 's/^  - Egress/  - Egress\n  egress:\n  - ports:\n    - port: 53\n      endPort: 52/' "$tmp/deny-egress.yaml"
} >"$tmp/bad.yaml"
t_case "an invalid policy is refused"
t_run 2 "$POLICYGEN" check --db "$db" -f "$tmp/bad.yaml"
t_match "$t_err" "policygen: $tmp/bad.yaml:27:*document 2: NetworkPolicy example-java-app/bad: endPort 52: must be greater than or equal to port"
t_case "a malformed --flow is refused"
t_run 2 "$POLICYGEN" check --db "$db" -f "$tmp/policies.yaml" --flow 'jclient 1389'
t_case "an unknown workload is refused"
t_run 2 "$POLICYGEN" check --db "$db" -f "$tmp/policies.yaml" --flow 'example-java-app/nope -> 10.0.0.1:80/TCP'
t_match "$t_err" "*no workload example-java-app/nope*"
t_case "an unknown port name is refused"
t_run 2 "$POLICYGEN" check --db "$db" -f "$tmp/policies.yaml" --flow 'example-java-app/jclient -> example-java-app/javaapp:nope/TCP'
t_case "a missing file is refused"
t_run 2 "$POLICYGEN" check --db "$db" -f "$tmp/nope.yaml"

# A policy named again replaces the earlier one, as kubectl apply does:
# the generated javaapp policy, then one of that name that allows nothing
# (javaapp's pods isolated for ingress).
deny=$FIXTURES/javaapp-deny-ingress.yaml
t_case "a policy named again replaces the earlier one"
t_run 1 "$POLICYGEN" check --db "$db" "${window[@]}" -f "$tmp/policies.yaml" -f "$deny"
t_match "$t_out|$t_err" "*ingress (example-java-app/podflow-deployment-javaapp)*1 policy named again*"

# Addresses in any spelling: the store keeps canonical text.
t_case "--flow: an IPv6 pod address in capitals is the pod"
t_run 1 "$POLICYGEN" check --db "$db" -f "$deny" \
	--flow '192.168.0.11 -> [FD00:10:244:1:0::10]:8080/TCP'
t_match "$t_out" "DENY  192.168.0.11 -> example-java-app/Deployment/javaapp:8080/TCP*"

# A typo must not widen a policy: unknown fields are refused.
sed 's/^  policyTypes: \[Ingress\]/  policyTypes: [Ingress]\n  ingress:\n  - form: [{podSelector: {}}]/' "$deny" >"$tmp/typo.yaml"
t_case "an unknown field is refused"
t_run 2 "$POLICYGEN" check --db "$db" -f "$tmp/typo.yaml"
t_match "$t_err" "*typo.yaml:12:5: document 1: NetworkPolicy example-java-app/podflow-deployment-javaapp: unknown field 'form'*"

# A key twice is refused, as the API server refuses it: read first-wins,
# an egress that allows everything followed by `egress: []` allows all.
t_case "a duplicate key is refused"
{
	cat "$deny"
	printf '  egress:\n  - {}\n  egress: []\n'
} >"$tmp/dup.yaml"
t_run 2 "$POLICYGEN" check --db "$db" -f "$tmp/dup.yaml"
t_match "$t_err" "*dup.yaml:*: duplicate key 'egress' (first on line *)*"

# Scalars as the API server gets them: kubectl turns YAML into JSON first
# (YAML 1.1: 0x50, 010 and 8e1 are numbers), and the API server decodes
# the JSON into typed fields (tests/fixtures/kubectl/scalars.* show what
# kubectl sends for each spelling).
port_policy() { # PORT-LINE...: javaapp's ingress on these port entries
	cat "$deny"
	printf '  ingress:\n  - ports:\n'
	for p; do printf '    - %s\n' "$p"; done
}
flow_to() { printf '192.168.0.11 -> example-java-app/javaapp:%s' "$1"; }
read_as() { # NAME PORT-LINE FLOW WANT-STATUS
	port_policy "$2" >"$tmp/scalar.yaml"
	t_case "$1"
	t_run "$4" "$POLICYGEN" check --db "$db" -f "$tmp/scalar.yaml" --flow "$(flow_to "$3")"
}
read_as "port: 0x50 is 80" "port: 0x50" 80/TCP 0
read_as "port: 010 is 8 (octal)" "port: 010" 8/TCP 0
read_as "port: 010 is not 10" "port: 010" 10/TCP 1
read_as "port: 0o17 is 15" "port: 0o17" 15/TCP 0
read_as "port: 8e1 is 80" "port: 8e1" 80/TCP 0
read_as "port: 1_000 is 1000" "port: 1_000" 1000/TCP 0
read_as "port: !!int \"80\" is 80" 'port: !!int "80"' 80/TCP 0
read_as "protocol: UDP with port: +53" "{protocol: UDP, port: +53}" 53/UDP 0
refused() { # NAME WANT PORT-LINE...
	local name=$1 want=$2
	shift 2
	port_policy "$@" >"$tmp/scalar.yaml"
	t_case "$name"
	t_run 2 "$POLICYGEN" check --db "$db" -f "$tmp/scalar.yaml"
	t_match "$t_err" "policygen: $tmp/scalar.yaml:*: document 1: NetworkPolicy example-java-app/podflow-deployment-javaapp: $want"
}
refused "port: !!str 80 is a name, and no valid one" "port '80': must be a number or a valid port name" "port: !!str 80"
refused "port: \"80\" is a name, and no valid one" "port '80': must be a number or a valid port name (quoted, a number is a name)" 'port: "80"'
refused "port: 80.5" "port 80.5: must be a whole number" "port: 80.5"
refused "port: true" "port true: must be a whole number" "port: true"
refused "port: 0" "port 0 (0): must be between 1 and 65535" "port: 0"
refused "port: 0x10000" "port 0x10000 (65536): must be between 1 and 65535" "port: 0x10000"
refused "port: .inf, which kubectl cannot send" "port must be a number: .inf is no number JSON can hold" "port: .inf"
refused "a NUL inside protocol" "protocol 'TC*x00P' holds a NUL byte" 'protocol: "TC\0P"'
refused "protocol: tcp" "protocol 'tcp': must be TCP, UDP or SCTP" "protocol: tcp"
refused "endPort: \"90\"" "endPort '90': must be a number" '{port: 80, endPort: "90"}'
# edited NAME WANT SED: the javaapp policy edited by SED is refused, saying WANT.
edited() {
	sed "$3" "$deny" >"$tmp/scalar.yaml"
	t_case "$1"
	t_run 2 "$POLICYGEN" check --db "$db" -f "$tmp/scalar.yaml"
	t_match "$t_err" "*$2*"
}
edited "a label value kubectl sends as a number" \
	"matchLabels value: '1.20' is a number to kubectl (YAML 1.1), not a string: quote it" \
	's/app: javaapp/app: 1.20/'
edited "a null label value is refused, not read as no label" \
	"matchLabels value: 'null' is a null to kubectl" 's/app: javaapp/app: null/'
edited "an expression value yes is a boolean" "values[]: 'yes' is a boolean to kubectl" \
	's/^    matchLabels:/    matchExpressions: [{key: app, operator: In, values: [yes]}]\n    matchLabels:/'
edited "metadata.labels are checked" "metadata.labels: 'a b' is not a valid label value" \
	's/^  namespace: example-java-app/  namespace: example-java-app\n  labels: {team: "a b"}/'
edited "a name kubectl sends as a number" "metadata.name: '123' is a number to kubectl" \
	's/^  name: .*/  name: 123/'

t_case "from: !!null x is refused, not read as every peer"
{ cat "$deny"; printf '  ingress:\n  - from: !!null x\n'; } >"$tmp/scalar.yaml"
t_run 2 "$POLICYGEN" check --db "$db" -f "$tmp/scalar.yaml"
t_match "$t_err" "*from must be a list*"
edited "matchLabels keys as kubectl sends them: 8 and 010 are one key" \
	"matchLabels: key '8' twice, as kubectl sends them (first on line 10)" \
	's/^      app: javaapp/      app: javaapp\n      8: a\n      010: b/'
edited "a matchLabels key on is the key true" "matchLabels: key 'true' twice" \
	's/^      app: javaapp/      app: javaapp\n      on: a\n      "true": b/'
t_case "annotation keys are checked lowercased, as the API server does"
sed 's/^  namespace: example-java-app/  namespace: example-java-app\n  annotations: {Example.COM\/Owner: me}/' "$deny" >"$tmp/scalar.yaml"
t_run 1 "$POLICYGEN" check --db "$db" "${window[@]}" -f "$tmp/scalar.yaml"
edited "hostile text in a message is escaped" \
	"policyTypes: '\\\\x1b[2J' is not Ingress or Egress" \
	's/^  policyTypes: \[Ingress\]/  policyTypes: ["\\e[2J"]/'

# --flow with a workload at an end: an ipBlock matches it as it matches
# the same pod given by its address (its address now, IPv4 first).
{
	cat "$deny"
	printf '  ingress:\n  - from:\n    - ipBlock: {cidr: 10.244.1.11/32}\n'
} >"$tmp/block-in.yaml"
t_case "--flow: a workload client matches an ipBlock of its address"
t_run 0 "$POLICYGEN" check --db "$db" -f "$tmp/block-in.yaml" \
	--flow 'example-java-app/jclient -> example-java-app/javaapp:8080/TCP'
t_case "--flow: ...as its address does"
t_run 0 "$POLICYGEN" check --db "$db" -f "$tmp/block-in.yaml" \
	--flow '10.244.1.11 -> example-java-app/javaapp:8080/TCP'
t_case "--flow: another workload does not"
t_run 1 "$POLICYGEN" check --db "$db" -f "$tmp/block-in.yaml" \
	--flow 'example-java-app/legacy -> example-java-app/javaapp:8080/TCP'
sed -e 's/javaapp$/jclient/' -e 's/policyTypes: \[Ingress\]/policyTypes: [Egress]/' "$deny" >"$tmp/block-out.yaml"
printf '  egress:\n  - to:\n    - ipBlock: {cidr: 10.244.1.10/32}\n' >>"$tmp/block-out.yaml"
t_case "--flow: a workload server matches an ipBlock of its address"
t_run 0 "$POLICYGEN" check --db "$db" -f "$tmp/block-out.yaml" \
	--flow 'example-java-app/jclient -> example-java-app/javaapp:8080/TCP'

# A pod to itself: isolated both ways, still allowed.
sed 's/policyTypes: \[Ingress\]/policyTypes: [Ingress, Egress]/' "$deny" >"$tmp/self.yaml"
t_case "--flow: a pod to itself is allowed, whatever isolates it"
t_run 0 "$POLICYGEN" check --db "$db" -f "$tmp/self.yaml" \
	--flow 'example-java-app/javaapp -> example-java-app/javaapp:8080/TCP'
t_match "$t_out" "*to itself: no policy blocks a pod's access to itself*"

t_done
