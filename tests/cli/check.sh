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
"$POLICYGEN" generate --db "$db" "${window[@]}" --now 2026-11-23T12:00:00Z -o "$tmp/policies.yaml" 2>/dev/null ||
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
"$POLICYGEN" generate --db "$db" "${window[@]}" --now 2026-11-23T12:00:00Z -o "$tmp/dir/" 2>/dev/null
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
t_match "$t_out" "*example-java-app/Deployment/jclient*example-java-app/Deployment/javaapp*8080/TCP*20*egress (example-java-app/deny-egress)*2 of * flows would be denied (61 connections: 2 by egress, 0 by ingress rules) by 1 policies*"

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
"$POLICYGEN" generate --db "$tmp/snat.db" "${window[@]}" --now 2026-11-23T12:00:00Z -o "$tmp/snat.yaml" 2>/dev/null
t_case "SNAT: generated policies allow what the server saw"
t_run 0 "$POLICYGEN" check --db "$tmp/snat.db" "${window[@]}" -f "$tmp/snat.yaml"
sed 's|192.168.0.11/32|203.0.113.9/32|' "$tmp/snat.yaml" >"$tmp/snat-wrong.yaml"
t_case "SNAT: allowing the original client instead is caught"
t_run 1 "$POLICYGEN" check --db "$tmp/snat.db" "${window[@]}" -f "$tmp/snat-wrong.yaml"
t_match "$t_out" "*203.0.113.9*example-java-app/Deployment/javaapp*8080/TCP*ingress (example-java-app/podflow-deployment-javaapp)*1 of 14 flows*"

# No policy at all: nothing is isolated, nothing denied.
printf '' >"$tmp/empty.yaml"
t_case "no policies deny nothing"
t_run 0 "$POLICYGEN" check --db "$db" "${window[@]}" -f "$tmp/empty.yaml"

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
t_match "$t_out|$t_err" "*ingress (example-java-app/podflow-deployment-javaapp)*1 policies named again*"

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

t_done
