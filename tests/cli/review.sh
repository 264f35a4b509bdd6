#!/bin/bash
# Review decisions and existing policies, end to end on the
# example-java-app scenario: a rejected peer disappears from the next
# generate (and check then reports its flows as denied), --reviewed-only
# keeps accepted peers only, decisions survive in the database or in
# --review-db, and an existing allow-all policy makes generate add nothing
# for that direction.
. "$(dirname "$0")/../lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/podflow-review.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/podflow.db

t_javaapp_db "$db"
window=(--since 2026-11-23T07:00:00Z --until 2026-11-23T09:00:00Z --now 2026-11-23T12:00:00Z)
cwindow=(--since 2026-11-23T07:00:00Z --until 2026-11-23T09:00:00Z)

if t_expect "review list: every proposed rule peer, pending" 0 \
	"$POLICYGEN" review list --db "$db" "${cwindow[@]}"; then
	case $t_out in
	*"example-java-app/Deployment/javaapp  egress     203.0.113.80/32"*"9001/TCP"*"pending"*"18 rule peers: 18 pending, 0 accepted, 0 rejected"*)
		t_ok "review list: every proposed rule peer, pending" ;;
	*) t_fail "review list: every proposed rule peer, pending" "$t_out" ;;
	esac
fi

# The batch host turns out to be the attacker's: reject it, all ports.
t_expect "review reject" 0 "$POLICYGEN" review reject example-java-app/javaapp egress 203.0.113.80 \
	--reason "not ours" --by alice --db "$db" && t_ok "review reject"
t_expect "review accept, a whole namespace" 0 "$POLICYGEN" review accept example-java-app/Deployment/jclient egress ns:kube-system \
	--by bob --db "$db" && t_ok "review accept, a whole namespace"
t_expect "review accept, one port" 0 "$POLICYGEN" review accept example-java-app/jclient egress example-java-app/javaapp 8080/TCP \
	--by bob --db "$db" && t_ok "review accept, one port"
if t_expect "review list: decisions with who, when, why" 0 \
	"$POLICYGEN" review list --db "$db" "${cwindow[@]}" --namespace example-java-app; then
	case $t_out in
	*"203.0.113.80/32"*"9003/TCP"*"rejected  alice "*": not ours"*"jclient  egress     example-java-app/Deployment/javaapp  8080/TCP"*"accepted  bob"*"15 rule peers: 10 pending, 2 accepted, 3 rejected"*)
		t_ok "review list: decisions with who, when, why" ;;
	*) t_fail "review list: decisions with who, when, why" "$t_out" ;;
	esac
fi

"$POLICYGEN" generate --db "$db" "${window[@]}" -o "$tmp/reviewed.yaml" 2>/dev/null
if grep -q '203.0.113.80' "$tmp/reviewed.yaml"; then
	t_fail "a rejected peer disappears from the next generate" "$(grep -n 203.0.113.80 "$tmp/reviewed.yaml")"
else
	t_ok "a rejected peer disappears from the next generate"
fi
if t_expect "check: the rejected peer's flows are denied" 1 \
	"$POLICYGEN" check --db "$db" "${cwindow[@]}" -f "$tmp/reviewed.yaml"; then
	case $t_out in
	*"203.0.113.80  9001/TCP"*"3 of 13 flows would be denied (3 connections: 3 by egress"*) t_ok "check: the rejected peer's flows are denied" ;;
	*) t_fail "check: the rejected peer's flows are denied" "$t_out" ;;
	esac
fi
t_expect "--explain marks pending, accepted and rejected peers" 0 \
	"$POLICYGEN" generate --db "$db" "${window[@]}" --explain --workload jclient
case $t_err in
*"egress  example-java-app/Deployment/javaapp"*"[accepted by bob]"*"kube-system/Deployment/coredns"*"[accepted by bob]"*) t_ok "--explain marks pending, accepted and rejected peers" ;;
*) t_fail "--explain marks pending, accepted and rejected peers" "$t_err" ;;
esac

"$POLICYGEN" generate --db "$db" "${window[@]}" --workload jclient --reviewed-only -o "$tmp/only.yaml" 2>/dev/null
"$POLICYGEN" generate --db "$db" "${window[@]}" --workload jclient -o "$tmp/all.yaml" 2>/dev/null
if cmp -s "$tmp/only.yaml" "$tmp/all.yaml" && grep -q 'port: 8080' "$tmp/only.yaml"; then
	t_ok "--reviewed-only: jclient's peers are all accepted"
else
	t_fail "--reviewed-only: jclient's peers are all accepted" "$(diff "$tmp/all.yaml" "$tmp/only.yaml")"
fi
"$POLICYGEN" generate --db "$db" "${window[@]}" --workload javaapp --reviewed-only -o "$tmp/javaapp-only.yaml" 2>/dev/null
if grep -q 'ingress: \[\]' "$tmp/javaapp-only.yaml" && grep -q 'egress: \[\]' "$tmp/javaapp-only.yaml"; then
	t_ok "--reviewed-only: javaapp, nothing accepted, nothing allowed"
else
	t_fail "--reviewed-only: javaapp, nothing accepted, nothing allowed" "$(cat "$tmp/javaapp-only.yaml")"
fi

# Decisions in a file of their own.
t_expect "--review-db" 0 "$POLICYGEN" review reject example-java-app/javaapp egress 198.51.100.0/24 \
	--db "$db" --review-db "$tmp/review.db" --by carol && t_ok "--review-db"
"$POLICYGEN" generate --db "$db" "${window[@]}" --workload javaapp --review-db "$tmp/review.db" -o "$tmp/rdb.yaml" 2>/dev/null
if ! grep -q '198.51.100' "$tmp/rdb.yaml" && grep -q '203.0.113.80' "$tmp/rdb.yaml"; then
	t_ok "generate reads the decisions of --review-db, not the database's"
else
	t_fail "generate reads the decisions of --review-db, not the database's" "$(grep -n 'cidr' "$tmp/rdb.yaml")"
fi

# Bad input.
t_expect "an unknown workload is refused" 2 "$POLICYGEN" review accept example-java-app/nope egress node --db "$db" &&
	case $t_err in *"no workload example-java-app/nope"*) t_ok "an unknown workload is refused" ;; *) t_fail "an unknown workload is refused" "$t_err" ;; esac
t_expect "a bad direction is refused" 2 "$POLICYGEN" review accept example-java-app/javaapp out node --db "$db" && t_ok "a bad direction is refused"
t_expect "a CIDR with host bits is refused" 2 "$POLICYGEN" review reject example-java-app/javaapp egress 203.0.113.80/24 --db "$db" &&
	t_ok "a CIDR with host bits is refused"
t_expect "a bad port is refused" 2 "$POLICYGEN" review reject example-java-app/javaapp egress node 99999/TCP --db "$db" && t_ok "a bad port is refused"

# An existing allow-all ingress policy: generate adds nothing for ingress.
cat >"$tmp/existing.yaml" <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-all-ingress
  namespace: example-java-app
spec:
  podSelector: {}
  ingress:
  - {}
YAML
"$POLICYGEN" generate --db "$db" "${window[@]}" --namespace example-java-app --existing "$tmp/existing.yaml" \
	-o "$tmp/with-existing.yaml" 2>"$tmp/err"
if ! grep -q -- '- Ingress' "$tmp/with-existing.yaml" && ! grep -q '^  ingress:' "$tmp/with-existing.yaml" &&
	grep -q -- '- Egress' "$tmp/with-existing.yaml"; then
	t_ok "an existing allow-all ingress policy: nothing added for ingress"
else
	t_fail "an existing allow-all ingress policy: nothing added for ingress" "$(cat "$tmp/with-existing.yaml")"
fi
case $(cat "$tmp/err") in
*"example-java-app/Deployment/javaapp is already selected for ingress by example-java-app/allow-all-ingress"*) t_ok "a workload an existing policy selects is reported" ;;
*) t_fail "a workload an existing policy selects is reported" "$(cat "$tmp/err")" ;;
esac
t_expect "existing plus generated deny nothing but the rejected" 1 \
	"$POLICYGEN" check --db "$db" "${cwindow[@]}" -f "$tmp/existing.yaml" -f "$tmp/with-existing.yaml" &&
	case $t_out in *"3 of "*) t_ok "existing plus generated deny nothing but the rejected" ;; *) t_fail "existing plus generated deny nothing but the rejected" "$t_out" ;; esac

# Existing egress rules already cover DNS: not repeated.
cat >"$tmp/dns.yaml" <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: dns
  namespace: example-java-app
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
    ports:
    - {protocol: UDP, port: 5353}
YAML
"$POLICYGEN" generate --db "$db" "${window[@]}" --workload jclient --existing "$tmp/dns.yaml" -o "$tmp/dns-gen.yaml" 2>/dev/null
if ! grep -q 'port: 5353' "$tmp/dns-gen.yaml" && grep -q 'port: 8080' "$tmp/dns-gen.yaml"; then
	t_ok "flows existing policies allow are not repeated"
else
	t_fail "flows existing policies allow are not repeated" "$(cat "$tmp/dns-gen.yaml")"
fi

# Regenerating over an older podflow policy of the same name: what the old
# one allowed is no reason to leave anything out, since it is replaced.
"$POLICYGEN" generate --db "$db" --since 2026-11-23T07:00:00Z --until 2026-11-23T07:30:00Z \
	--now 2026-11-23T12:00:00Z --workload javaapp -o "$tmp/old-gen.yaml" 2>/dev/null
"$POLICYGEN" generate --db "$db" "${window[@]}" --workload javaapp --existing "$tmp/old-gen.yaml" \
	-o "$tmp/new-gen.yaml" 2>"$tmp/err"
if grep -q 'app: legacy' "$tmp/new-gen.yaml" && grep -q 'existing example-java-app/podflow-deployment-javaapp .* is replaced by the generated policy' "$tmp/err"; then
	t_ok "an existing policy the run replaces is not taken into account"
else
	t_fail "an existing policy the run replaces is not taken into account" "$(cat "$tmp/err")"
fi

# A hand-made review row without the peer's kind is refused, not a crash.
cp "$tmp/review.db" "$tmp/bad-review.db"
sqlite3 "$tmp/bad-review.db" "INSERT INTO review VALUES ('example-java-app','Deployment','javaapp','ingress','example-java-app/legacy',0,'','rejected',NULL,'me',0)"
t_expect "a review peer without its kind is refused" 2 "$POLICYGEN" review list --db "$db" --review-db "$tmp/bad-review.db" "${cwindow[@]}" &&
	case $t_err in *"peer 'example-java-app/legacy' is not NS/KIND/NAME"*) t_ok "a review peer without its kind is refused" ;;
	*) t_fail "a review peer without its kind is refused" "$t_err" ;; esac

# A client SNATed to a node address (NodePort traffic) is "node" too.
cp "$db" "$tmp/snat.db"
b=$(date -u -d 2026-11-23T08:40:00Z +%s)
sqlite3 "$tmp/snat.db" "INSERT INTO edge (bucket, client_ip, server_ip, server_port, protocol, service_ip, service_port, client_nat_ip, first_seen, last_seen, connections) VALUES ($b, '203.0.113.9', '10.244.1.10', 9443, 6, '', 0, '192.168.0.10', $b, $b + 5, 4);"
"$POLICYGEN" review reject example-java-app/javaapp ingress node --db "$tmp/snat.db" >/dev/null
"$POLICYGEN" generate --db "$tmp/snat.db" "${window[@]}" --workload javaapp -o "$tmp/snat.yaml" 2>/dev/null
if grep -q 'port: 9443' "$tmp/snat.yaml"; then
	t_fail "a node decision covers clients SNATed to the node" "$(cat "$tmp/snat.yaml")"
else
	t_ok "a node decision covers clients SNATed to the node"
fi

# Only the policies this run writes replace existing ones: javaapp-debug
# had no traffic, gets no policy, and its existing one stays in account.
cat >"$tmp/debug.yaml" <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: podflow-pod-javaapp-debug
  namespace: example-java-app
spec:
  podSelector:
    matchLabels:
      app: javaapp
  policyTypes: [Ingress]
YAML
"$POLICYGEN" generate --db "$db" "${window[@]}" --namespace example-java-app --existing "$tmp/debug.yaml" \
	-o "$tmp/debug-gen.yaml" 2>"$tmp/err"
if grep -q 'podflow-pod-javaapp-debug .* is replaced' "$tmp/err"; then
	t_fail "an existing policy no generated one replaces stays" "$(cat "$tmp/err")"
else
	t_ok "an existing policy no generated one replaces stays"
fi

t_done
