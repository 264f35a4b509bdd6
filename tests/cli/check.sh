#!/bin/bash
# policygen check on the example-java-app scenario: the generated policies
# replayed against the window they were learnt from deny nothing; --flow
# agrees with every verdict of tests/fixtures/javaapp.flows (which the
# independent evaluator checks too); a policy that misses traffic is
# caught; invalid manifests are refused with file, document and line.
. "$(dirname "$0")/../lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
fixtures=$top/tests/fixtures
tmp=$(mktemp -d /tmp/podflow-check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/podflow.db

t_javaapp_db "$db"
window=(--since 2026-11-23T07:00:00Z --until 2026-11-23T09:00:00Z)
"$POLICYGEN" generate --db "$db" "${window[@]}" --now 2026-11-23T12:00:00Z -o "$tmp/policies.yaml" 2>/dev/null ||
	{ t_fail "generate" "failed"; exit 1; }

if t_expect "generated policies deny nothing of their own window" 0 \
	"$POLICYGEN" check --db "$db" "${window[@]}" -f "$tmp/policies.yaml"; then
	case $t_out in
	"0 of 13 flows would be denied"*"by 5 policies; 1 ICMP"*) t_ok "generated policies deny nothing of their own window" ;;
	*) t_fail "generated policies deny nothing of their own window" "$t_out" ;;
	esac
fi

# Every verdict of the fixture, as --flow.
while read -r src dst port proto want; do
	case $src in '#'* | '') continue ;; esac
	spec="$src -> $dst:$port/$proto"
	status=0
	[ "$want" = DENY ] && status=1
	if t_expect "--flow '$spec' is $want" "$status" \
		"$POLICYGEN" check --db "$db" -f "$tmp/policies.yaml" --flow "$spec"; then
		case $t_out in
		"$want "*) t_ok "--flow '$spec' is $want" ;;
		*) t_fail "--flow '$spec' is $want" "$t_out" ;;
		esac
	fi
done <"$fixtures/javaapp.flows"

# The log4shell callback: denied at jclient's egress, and the reason names
# the policy that isolates it and where it is.
if t_expect "the log4shell callback is denied, with the reason" 1 \
	"$POLICYGEN" check --db "$db" -f "$tmp/policies.yaml" \
	--flow 'example-java-app/jclient -> 203.0.113.66:1389/TCP' \
	--flow 'example-java-app/Deployment/jclient -> example-java-app/javaapp:http/TCP'; then
	case $t_out in
	"DENY  example-java-app/Deployment/jclient -> 203.0.113.66:1389/TCP"*"egress: denied: example-java-app/Deployment/jclient is isolated by example-java-app/podflow-deployment-jclient ($tmp/policies.yaml:"*"no egress rule allows 203.0.113.66:1389/TCP"*"ALLOW example-java-app/Deployment/jclient -> example-java-app/Deployment/javaapp:http/TCP (port 8080)"*)
		t_ok "the log4shell callback is denied, with the reason" ;;
	*) t_fail "the log4shell callback is denied, with the reason" "$t_out" ;;
	esac
fi

# A pod's own node is always allowed, whatever the policies say.
if t_expect "traffic from a pod's own node is allowed" 0 \
	"$POLICYGEN" check --db "$db" -f "$tmp/policies.yaml" --flow '192.168.0.10 -> example-java-app/jclient:8080/TCP'; then
	case $t_out in
	"ALLOW node/node-a -> example-java-app/Deployment/jclient:8080/TCP"*"ingress: between example-java-app/Deployment/jclient and its own node: always allowed"*)
		t_ok "traffic from a pod's own node is allowed" ;;
	*) t_fail "traffic from a pod's own node is allowed" "$t_out" ;;
	esac
fi

# Policies from a directory, from stdin, and as a kubectl List.
mkdir -p "$tmp/dir"
"$POLICYGEN" generate --db "$db" "${window[@]}" --now 2026-11-23T12:00:00Z -o "$tmp/dir/" 2>/dev/null
t_expect "policies from a directory" 0 "$POLICYGEN" check --db "$db" "${window[@]}" -f "$tmp/dir" && t_ok "policies from a directory"
t_expect "policies from stdin" 0 bash -c "'$POLICYGEN' check --db '$db' ${window[*]} -f - <'$tmp/policies.yaml'" && t_ok "policies from stdin"
/usr/bin/python3 -c '
import sys, yaml
items = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items}, open(sys.argv[2], "w"))
' "$tmp/policies.yaml" "$tmp/list.yaml"
t_expect "policies as a kubectl List" 0 "$POLICYGEN" check --db "$db" "${window[@]}" -f "$tmp/list.yaml" && t_ok "policies as a kubectl List"

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
if t_expect "a policy that misses traffic is caught" 1 \
	"$POLICYGEN" check --db "$db" "${window[@]}" -f "$tmp/deny-egress.yaml"; then
	case $t_out in
	*"example-java-app/Deployment/jclient"*"example-java-app/Deployment/javaapp"*"8080/TCP"*"20"*"egress (example-java-app/deny-egress)"*"2 of "*" flows would be denied (61 connections: 2 by egress, 0 by ingress rules) by 1 policies"*)
		t_ok "a policy that misses traffic is caught" ;;
	*) t_fail "a policy that misses traffic is caught" "$t_out" ;;
	esac
fi

# IPv6 in brackets.
t_expect "--flow with an [IPv6] destination" 0 "$POLICYGEN" check --db "$db" -f "$tmp/policies.yaml" \
	--flow 'example-java-app/javaapp -> [2001:db8:40::443]:443/TCP' &&
	case $t_out in "ALLOW example-java-app/Deployment/javaapp -> 2001:db8:40::443:443/TCP"*) t_ok "--flow with an [IPv6] destination" ;;
	*) t_fail "--flow with an [IPv6] destination" "$t_out" ;; esac

# The same connections recorded by two nodes count once.
cp "$db" "$tmp/node-b.db"
t_expect "two databases: a connection seen twice counts once" 1 \
	"$POLICYGEN" check --db "$db" --db "$tmp/node-b.db" "${window[@]}" -f "$tmp/deny-egress.yaml" &&
	case $t_out in *"2 of 13 flows would be denied (61 connections"*) t_ok "two databases: a connection seen twice counts once" ;;
	*) t_fail "two databases: a connection seen twice counts once" "$t_out" ;; esac

# SNAT: the server's policies see the address the client was rewritten
# to, as generate names it.
cp "$db" "$tmp/snat.db"
b=$(date -u -d 2026-11-23T08:40:00Z +%s)
sqlite3 "$tmp/snat.db" "INSERT INTO edge (bucket, client_ip, server_ip, server_port, protocol, service_ip, service_port, client_nat_ip, first_seen, last_seen, connections) VALUES ($b, '203.0.113.9', '10.244.1.10', 8080, 6, '', 0, '192.168.0.11', $b, $b + 5, 4);"
"$POLICYGEN" generate --db "$tmp/snat.db" "${window[@]}" --now 2026-11-23T12:00:00Z -o "$tmp/snat.yaml" 2>/dev/null
t_expect "SNAT: generated policies allow what the server saw" 0 \
	"$POLICYGEN" check --db "$tmp/snat.db" "${window[@]}" -f "$tmp/snat.yaml" && t_ok "SNAT: generated policies allow what the server saw"
sed 's|192.168.0.11/32|203.0.113.9/32|' "$tmp/snat.yaml" >"$tmp/snat-wrong.yaml"
t_expect "SNAT: allowing the original client instead is caught" 1 \
	"$POLICYGEN" check --db "$tmp/snat.db" "${window[@]}" -f "$tmp/snat-wrong.yaml" &&
	case $t_out in *"203.0.113.9"*"example-java-app/Deployment/javaapp"*"8080/TCP"*"ingress (example-java-app/podflow-deployment-javaapp)"*"1 of 14 flows"*) t_ok "SNAT: allowing the original client instead is caught" ;;
	*) t_fail "SNAT: allowing the original client instead is caught" "$t_out" ;; esac

# No policy at all: nothing is isolated, nothing denied.
printf '' >"$tmp/empty.yaml"
t_expect "no policies deny nothing" 0 "$POLICYGEN" check --db "$db" "${window[@]}" -f "$tmp/empty.yaml" && t_ok "no policies deny nothing"

# Invalid input: exit 2, one line naming file, document and line.
{
	cat "$tmp/deny-egress.yaml"
	echo '---'
	sed -e 's/deny-egress/bad/' -e 's/^  - Egress/  - Egress\n  egress:\n  - ports:\n    - port: 53\n      endPort: 52/' "$tmp/deny-egress.yaml"
} >"$tmp/bad.yaml"
if t_expect "an invalid policy is refused" 2 "$POLICYGEN" check --db "$db" -f "$tmp/bad.yaml"; then
	case $t_err in
	"policygen: $tmp/bad.yaml:27:"*"document 2: NetworkPolicy example-java-app/bad: endPort 52: must be greater than or equal to port") t_ok "an invalid policy is refused" ;;
	*) t_fail "an invalid policy is refused" "$t_err" ;;
	esac
fi
t_expect "a malformed --flow is refused" 2 "$POLICYGEN" check --db "$db" -f "$tmp/policies.yaml" --flow 'jclient 1389' &&
	t_ok "a malformed --flow is refused"
t_expect "an unknown workload is refused" 2 "$POLICYGEN" check --db "$db" -f "$tmp/policies.yaml" --flow 'example-java-app/nope -> 10.0.0.1:80/TCP' &&
	case $t_err in *"no workload example-java-app/nope"*) t_ok "an unknown workload is refused" ;; *) t_fail "an unknown workload is refused" "$t_err" ;; esac
t_expect "an unknown port name is refused" 2 "$POLICYGEN" check --db "$db" -f "$tmp/policies.yaml" --flow 'example-java-app/jclient -> example-java-app/javaapp:nope/TCP' &&
	t_ok "an unknown port name is refused"
t_expect "a missing file is refused" 2 "$POLICYGEN" check --db "$db" -f "$tmp/nope.yaml" &&
	t_ok "a missing file is refused"

# A policy named again replaces the earlier one, as kubectl apply does:
# the generated javaapp policy, then one of that name that allows nothing.
cat >"$tmp/javaapp-deny.yaml" <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: podflow-deployment-javaapp
  namespace: example-java-app
spec:
  podSelector:
    matchLabels:
      app: javaapp
  policyTypes: [Ingress]
YAML
if t_expect "a policy named again replaces the earlier one" 1 \
	"$POLICYGEN" check --db "$db" "${window[@]}" -f "$tmp/policies.yaml" -f "$tmp/javaapp-deny.yaml"; then
	case "$t_out|$t_err" in
	*"ingress (example-java-app/podflow-deployment-javaapp)"*"1 policies named again"*) t_ok "a policy named again replaces the earlier one" ;;
	*) t_fail "a policy named again replaces the earlier one" "$t_out $t_err" ;;
	esac
fi

# Addresses in any spelling: the store keeps canonical text.
t_expect "--flow: an IPv6 pod address in capitals is the pod" 1 "$POLICYGEN" check --db "$db" -f "$tmp/javaapp-deny.yaml" \
	--flow '192.168.0.11 -> [FD00:10:244:1:0::10]:8080/TCP' &&
	case $t_out in "DENY  192.168.0.11 -> example-java-app/Deployment/javaapp:8080/TCP"*) t_ok "--flow: an IPv6 pod address in capitals is the pod" ;;
	*) t_fail "--flow: an IPv6 pod address in capitals is the pod" "$t_out" ;; esac

# A typo must not widen a policy: unknown fields are refused.
sed 's/^  policyTypes: \[Ingress\]/  policyTypes: [Ingress]\n  ingress:\n  - form: [{podSelector: {}}]/' "$tmp/javaapp-deny.yaml" >"$tmp/typo.yaml"
t_expect "an unknown field is refused" 2 "$POLICYGEN" check --db "$db" -f "$tmp/typo.yaml" &&
	case $t_err in *"typo.yaml:12:5: document 1: NetworkPolicy example-java-app/podflow-deployment-javaapp: unknown field 'form'"*) t_ok "an unknown field is refused" ;;
	*) t_fail "an unknown field is refused" "$t_err" ;; esac

t_done
