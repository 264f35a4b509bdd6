#!/bin/bash
# Review decisions and existing policies, end to end on the
# example-java-app scenario: a rejected peer disappears from the next
# generate (and check then reports its flows as denied), --reviewed-only
# keeps accepted peers only, decisions survive in the database or in
# --review-db, and an existing allow-all policy makes generate add nothing
# for that direction.  A decision replaces the earlier ones it covers (the
# reject of an address accepted on one port rejects it on all), a narrower
# one after it is kept and wins there, and clear deletes the decision on
# exactly its scope.
. "$(dirname "$0")/../lib.sh"

t_tmpdir review
db=$tmp/podflow.db

t_javaapp_db "$db"
# Without a decision, for the cases on replacing and clearing.
cp "$db" "$tmp/undecided.db"
window=(--since 2026-11-23T07:00:00Z --until 2026-11-23T09:00:00Z --now 2026-11-23T12:00:00Z)
cwindow=(--since 2026-11-23T07:00:00Z --until 2026-11-23T09:00:00Z)

t_case "review list -A: every proposed rule peer, pending"
t_run 0 "$POLICYGEN" review list --db "$db" "${cwindow[@]}" -A
t_match "$t_out" "*example-java-app/Deployment/javaapp  egress     203.0.113.80/32*9001/TCP*pending*18 rule peers: 18 pending, 0 accepted, 0 rejected*"
t_case "review list leaves the system namespaces out"
t_run 0 "$POLICYGEN" review list --db "$db" "${cwindow[@]}"
t_check "a kube-system workload is listed" [ -z "$(printf '%s\n' "$t_out" | grep '^kube-system/')" ]
t_match "$t_out" "*15 rule peers: 15 pending, 0 accepted, 0 rejected*"
t_case "review list -o json"
t_run 0 "$POLICYGEN" review list --db "$db" "${cwindow[@]}" -o json
t_equal "$(printf '%s\n' "$t_out" | python3 -c 'import json, sys; l = json.load(sys.stdin); print(len(l), l[0]["workload"]["name"], l[0]["direction"], l[0]["decision"])')" "15 javaapp ingress pending"
t_case "review list of a namespace the inventory does not know"
t_run 1 "$POLICYGEN" review list --db "$db" "${cwindow[@]}" -n example-jav-app
t_match "$t_err" "*policygen: no namespace example-jav-app in the inventory of $db; did you mean example-java-app?"

# The batch host turns out to be the attacker's: reject it, all ports.
t_case "review reject"
t_run 0 "$POLICYGEN" review reject example-java-app/javaapp egress 203.0.113.80 --reason "not ours" --by alice --db "$db"
t_case "review accept, a whole namespace"
t_run 0 "$POLICYGEN" review accept example-java-app/Deployment/jclient egress ns:kube-system --by bob --db "$db"
t_case "review accept, one port"
t_run 0 "$POLICYGEN" review accept example-java-app/jclient egress example-java-app/javaapp 8080/TCP --by bob --db "$db"
t_case "review list: decisions with who, when, why"
t_run 0 "$POLICYGEN" review list --db "$db" "${cwindow[@]}" --namespace example-java-app
t_match "$t_out" "*203.0.113.80/32*9003/TCP*rejected  alice *: not ours*jclient  egress     example-java-app/Deployment/javaapp  8080/TCP*accepted  bob*15 rule peers: 10 pending, 2 accepted, 3 rejected*"

t_case "a rejected peer disappears from the next generate"
"$POLICYGEN" generate --db "$db" "${window[@]}" -A >"$tmp/reviewed.yaml" 2>/dev/null
t_check "$(grep -n 203.0.113.80 "$tmp/reviewed.yaml")" ! grep -q '203.0.113.80' "$tmp/reviewed.yaml"
t_case "check: the rejected peer's flows are denied"
t_run 1 "$POLICYGEN" check --db "$db" "${cwindow[@]}" -f "$tmp/reviewed.yaml"
t_match "$t_out" "*203.0.113.80  9001/TCP*3 of 13 flows would be denied (3 connections: 3 by egress*"
t_case "--explain marks pending, accepted and rejected peers"
t_run 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --explain --workload jclient
t_match "$t_err" "*egress  example-java-app/Deployment/javaapp*\[accepted by bob\]*kube-system/Deployment/coredns*\[accepted by bob\]*"

t_case "--reviewed-only: jclient's peers are all accepted"
"$POLICYGEN" generate --db "$db" "${window[@]}" --workload jclient --reviewed-only -A >"$tmp/only.yaml" 2>/dev/null
"$POLICYGEN" generate --db "$db" "${window[@]}" --workload jclient -A >"$tmp/all.yaml" 2>/dev/null
t_check "$(diff "$tmp/all.yaml" "$tmp/only.yaml")" cmp -s "$tmp/only.yaml" "$tmp/all.yaml"
t_check "no port 8080" grep -q 'port: 8080' "$tmp/only.yaml"
t_case "--reviewed-only: javaapp, nothing accepted, nothing allowed"
"$POLICYGEN" generate --db "$db" "${window[@]}" --workload javaapp --reviewed-only -A >"$tmp/javaapp-only.yaml" 2>/dev/null
t_check "$(cat "$tmp/javaapp-only.yaml")" grep -q 'ingress: \[\]' "$tmp/javaapp-only.yaml"
t_check "$(cat "$tmp/javaapp-only.yaml")" grep -q 'egress: \[\]' "$tmp/javaapp-only.yaml"

# Decisions in a file of their own.
t_case "--review-db"
t_run 0 "$POLICYGEN" review reject example-java-app/javaapp egress 198.51.100.0/24 \
	--db "$db" --review-db "$tmp/review.db" --by carol
t_case "generate reads the decisions of --review-db, not the database's"
"$POLICYGEN" generate --db "$db" "${window[@]}" --workload javaapp --review-db "$tmp/review.db" -A >"$tmp/rdb.yaml" 2>/dev/null
t_check "$(grep -n 'cidr' "$tmp/rdb.yaml")" ! grep -q '198.51.100' "$tmp/rdb.yaml"
t_check "$(grep -n 'cidr' "$tmp/rdb.yaml")" grep -q '203.0.113.80' "$tmp/rdb.yaml"

# Bad input.
t_case "an unknown workload is refused"
t_run 2 "$POLICYGEN" review accept example-java-app/nope egress node --db "$db"
t_match "$t_err" "*no workload example-java-app/nope*"
t_case "a bad direction is refused"
t_run 2 "$POLICYGEN" review accept example-java-app/javaapp out node --db "$db"
t_case "a CIDR with host bits is refused"
t_run 2 "$POLICYGEN" review reject example-java-app/javaapp egress 203.0.113.80/24 --db "$db"
t_case "a bad port is refused"
t_run 2 "$POLICYGEN" review reject example-java-app/javaapp egress node 99999/TCP --db "$db"

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
t_case "an existing allow-all ingress policy: nothing added for ingress"
"$POLICYGEN" generate --db "$db" "${window[@]}" --namespace example-java-app --existing "$tmp/existing.yaml" \
	>"$tmp/with-existing.yaml" 2>"$tmp/err"
policies=$(cat "$tmp/with-existing.yaml")
t_check "$policies" ! grep -q -- '- Ingress' "$tmp/with-existing.yaml"
t_check "$policies" ! grep -q '^  ingress:' "$tmp/with-existing.yaml"
t_check "$policies" grep -q -- '- Egress' "$tmp/with-existing.yaml"
t_case "a workload an existing policy selects is reported"
t_match "$(cat "$tmp/err")" "*example-java-app/Deployment/javaapp is already selected for ingress by example-java-app/allow-all-ingress*"
t_case "existing plus generated deny nothing but the rejected"
t_run 1 "$POLICYGEN" check --db "$db" "${cwindow[@]}" -f "$tmp/existing.yaml" -f "$tmp/with-existing.yaml"
t_match "$t_out" "*3 of *"

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
t_case "flows existing policies allow are not repeated"
"$POLICYGEN" generate --db "$db" "${window[@]}" --workload jclient --existing "$tmp/dns.yaml" -A >"$tmp/dns-gen.yaml" 2>/dev/null
t_check "$(cat "$tmp/dns-gen.yaml")" ! grep -q 'port: 5353' "$tmp/dns-gen.yaml"
t_check "$(cat "$tmp/dns-gen.yaml")" grep -q 'port: 8080' "$tmp/dns-gen.yaml"

# Regenerating over an older podflow policy of the same name: what the old
# one allowed is no reason to leave anything out, since it is replaced.
t_case "an existing policy the run replaces is not taken into account"
"$POLICYGEN" generate --db "$db" --since 2026-11-23T07:00:00Z --until 2026-11-23T07:30:00Z \
	--now 2026-11-23T12:00:00Z --workload javaapp >"$tmp/old-gen.yaml" 2>/dev/null
"$POLICYGEN" generate --db "$db" "${window[@]}" --workload javaapp --existing "$tmp/old-gen.yaml" \
	>"$tmp/new-gen.yaml" 2>"$tmp/err"
t_check "$(cat "$tmp/err")" grep -q 'app: legacy' "$tmp/new-gen.yaml"
t_check "$(cat "$tmp/err")" grep -q 'existing example-java-app/podflow-deployment-javaapp .* is replaced by the generated policy' "$tmp/err"

# A hand-made review row without the peer's kind is refused, not a crash.
cp "$tmp/review.db" "$tmp/bad-review.db"
sqlite3 "$tmp/bad-review.db" "INSERT INTO review VALUES ('example-java-app','Deployment','javaapp','ingress','example-java-app/legacy',0,'','rejected',NULL,'me',0)"
t_case "a review peer without its kind is refused"
t_run 3 "$POLICYGEN" review list --db "$db" --review-db "$tmp/bad-review.db" "${cwindow[@]}"
t_match "$t_err" "*peer 'example-java-app/legacy' is not NS/KIND/NAME*"

# A client SNATed to a node address (NodePort traffic) is "node" too.
cp "$db" "$tmp/snat.db"
b=$(date -u -d 2026-11-23T08:40:00Z +%s)
sqlite3 "$tmp/snat.db" "INSERT INTO edge (bucket, client_ip, server_ip, server_port, protocol, service_ip, service_port, client_nat_ip, first_seen, last_seen, connections) VALUES ($b, '203.0.113.9', '10.244.1.10', 9443, 6, '', 0, '192.168.0.10', $b, $b + 5, 4);"
"$POLICYGEN" review reject example-java-app/javaapp ingress node --db "$tmp/snat.db" >/dev/null
t_case "a node decision covers clients SNATed to the node"
"$POLICYGEN" generate --db "$tmp/snat.db" "${window[@]}" --workload javaapp -A >"$tmp/snat.yaml" 2>/dev/null
t_check "$(cat "$tmp/snat.yaml")" ! grep -q 'port: 9443' "$tmp/snat.yaml"

# Only the policies this run writes replace existing ones: javaapp-debug
# had no traffic, gets no policy, and its existing one stays in account:
# the fixture's policy isolating javaapp, under javaapp-debug's name.
sed 's/^  name: podflow-deployment-javaapp$/  name: podflow-pod-javaapp-debug/' \
	"$FIXTURES/javaapp-deny-ingress.yaml" >"$tmp/debug.yaml"
t_case "an existing policy no generated one replaces stays"
t_check "$(cat "$tmp/debug.yaml")" grep -q '^  name: podflow-pod-javaapp-debug$' "$tmp/debug.yaml"
"$POLICYGEN" generate --db "$db" "${window[@]}" --namespace example-java-app --existing "$tmp/debug.yaml" \
	>"$tmp/debug-gen.yaml" 2>"$tmp/err"
t_check "$(cat "$tmp/err")" ! grep -q 'podflow-pod-javaapp-debug .* is replaced' "$tmp/err"

# A store imported before import checked names: review list goes on past a
# namespace the API server would refuse.
cp "$db" "$tmp/badns.db"
sqlite3 "$tmp/badns.db" "UPDATE pod SET namespace = 'Bad_NS' WHERE name LIKE 'worker-%';
	UPDATE owner SET namespace = 'Bad_NS' WHERE name LIKE 'worker%'"
t_case "review list with a namespace no policy may name"
t_run 1 "$POLICYGEN" review list --db "$tmp/badns.db" "${cwindow[@]}"
t_match "$t_out" "*example-java-app/Deployment/javaapp*"
t_match "$t_err" "*1 workload left out: no valid policy can name it (policygen generate says why)*"

# The operator's case: 198.51.100.20 accepted on 443/TCP, then rejected
# on all ports.  The reject replaces the accept: rejected on every port.
rdb=$tmp/replace.db
cp "$tmp/undecided.db" "$rdb"
# Its one line in review list: "ADDRESS  443/TCP ... DECISION  BY".
peer_line() {
	printf '^example-java-app/Deployment/javaapp +egress +%s +443/TCP .* %s( |$)' "${1//./\\.}" "$2"
}
t_case "review accept, an address on one port"
t_run 0 "$POLICYGEN" review accept example-java-app/javaapp egress 198.51.100.20 443/TCP --by bob --db "$rdb"
t_equal "$t_out" "accepted example-java-app/Deployment/javaapp egress 198.51.100.20/32 443/TCP"
t_equal "$t_err" ""
t_case "review list: accepted on that port"
t_run 0 "$POLICYGEN" review list --db "$rdb" "${cwindow[@]}" --workload javaapp
t_line "$t_out" "$(peer_line 198.51.100.20/32 'accepted +bob')"
t_case "review reject of the address replaces the accept, and says so"
t_run 0 "$POLICYGEN" review reject example-java-app/javaapp egress 198.51.100.20 --reason "not ours" --by alice --db "$rdb"
t_equal "$t_out" "rejected example-java-app/Deployment/javaapp egress 198.51.100.20/32; replaces 1 earlier decision"
t_equal "$t_err" "policygen: replaces: accepted example-java-app/Deployment/javaapp egress 198.51.100.20/32 443/TCP (by bob)"
t_case "review list: the address is rejected on the port it was accepted on"
t_run 0 "$POLICYGEN" review list --db "$rdb" "${cwindow[@]}" --workload javaapp
t_line "$t_out" "$(peer_line 198.51.100.20/32 'rejected +alice .*: not ours')"
t_line "$t_out" "$(peer_line 198.51.100.21/32 pending)"
t_sql_case "the reject is the one decision kept" "$rdb" \
	"SELECT peer, port, decision, decided_by FROM review" "198.51.100.20/32|0|rejected|alice"
t_case "generate leaves the rejected address out"
"$POLICYGEN" generate --db "$rdb" "${window[@]}" --workload javaapp >"$tmp/replace.yaml" 2>/dev/null
t_check "$(grep -n cidr "$tmp/replace.yaml")" ! grep -q '198\.51\.100\.20/' "$tmp/replace.yaml"
t_check "$(grep -n cidr "$tmp/replace.yaml")" grep -q 'cidr: 198\.51\.100\.21/32' "$tmp/replace.yaml"

# A narrower decision after a broader one is an exception: it replaces
# nothing and wins on its port.
t_case "review accept on one port after the reject on all: kept, replaces nothing"
t_run 0 "$POLICYGEN" review accept example-java-app/javaapp egress 198.51.100.20 443/TCP --by bob --db "$rdb"
t_equal "$t_out" "accepted example-java-app/Deployment/javaapp egress 198.51.100.20/32 443/TCP"
t_equal "$t_err" ""
t_case "review list: the exception wins on its port"
t_run 0 "$POLICYGEN" review list --db "$rdb" "${cwindow[@]}" --workload javaapp
t_line "$t_out" "$(peer_line 198.51.100.20/32 'accepted +bob')"
t_sql_case "both decisions are kept" "$rdb" \
	"SELECT peer, port, decision FROM review ORDER BY port" \
	"198.51.100.20/32|0|rejected
198.51.100.20/32|443|accepted"
t_case "generate emits the address on the accepted port"
"$POLICYGEN" generate --db "$rdb" "${window[@]}" --workload javaapp >"$tmp/exception.yaml" 2>/dev/null
t_check "$(grep -n cidr "$tmp/exception.yaml")" grep -q 'cidr: 198\.51\.100\.20/32' "$tmp/exception.yaml"

# clear: the decision on exactly that scope, no broader, no narrower.
t_case "review clear of the exception"
t_run 0 "$POLICYGEN" review clear example-java-app/javaapp egress 198.51.100.20 443/TCP --db "$rdb"
t_equal "$t_out" "cleared accepted example-java-app/Deployment/javaapp egress 198.51.100.20/32 443/TCP"
t_equal "$t_err" "policygen: it is now decided by: rejected example-java-app/Deployment/javaapp egress 198.51.100.20/32"
t_case "review list: the broader reject decides again"
t_run 0 "$POLICYGEN" review list --db "$rdb" "${cwindow[@]}" --workload javaapp
t_line "$t_out" "$(peer_line 198.51.100.20/32 'rejected +alice')"
t_case "review clear of a scope without a decision: exit 1, nothing deleted"
t_run 1 "$POLICYGEN" review clear example-java-app/javaapp egress 198.51.100.20 443/TCP --db "$rdb"
t_equal "$t_out" ""
t_match "$t_err" "policygen: no decision on example-java-app/Deployment/javaapp egress 198.51.100.20/32 443/TCP to clear
policygen: it is decided by: rejected example-java-app/Deployment/javaapp egress 198.51.100.20/32"
t_sql_case "the reject is left" "$rdb" "SELECT peer, port, decision FROM review" "198.51.100.20/32|0|rejected"
t_case "review clear of a broader scope than any decision: exit 1"
t_run 1 "$POLICYGEN" review clear example-java-app/javaapp egress 198.51.100.0/24 --db "$rdb"
t_match "$t_err" "policygen: no decision on example-java-app/Deployment/javaapp egress 198.51.100.0/24 to clear
policygen: a narrower decision: rejected example-java-app/Deployment/javaapp egress 198.51.100.20/32"
t_case "review clear of the reject: pending again"
t_run 0 "$POLICYGEN" review clear example-java-app/Deployment/javaapp egress 198.51.100.20 --db "$rdb"
t_equal "$t_out" "cleared rejected example-java-app/Deployment/javaapp egress 198.51.100.20/32"
t_equal "$t_err" ""
t_run 0 "$POLICYGEN" review list --db "$rdb" "${cwindow[@]}" --workload javaapp
t_line "$t_out" "$(peer_line 198.51.100.20/32 pending)"
t_sql_case "no decision is left" "$rdb" "SELECT count(*) FROM review" "0"
t_case "review clear of nothing at all: exit 1"
t_run 1 "$POLICYGEN" review clear example-java-app/javaapp egress 198.51.100.20 --db "$rdb"
t_equal "$t_err" "policygen: no decision on example-java-app/Deployment/javaapp egress 198.51.100.20/32 to clear"

# A decision left that is more specific somewhere is named, not hidden.
t_case "a reject that a port decision on a broader prefix still beats says so"
"$POLICYGEN" review accept example-java-app/javaapp egress 198.51.100.0/24 443/TCP --by bob --db "$rdb" >/dev/null 2>&1
t_run 0 "$POLICYGEN" review reject example-java-app/javaapp egress 198.51.100.21 --by alice --db "$rdb"
t_equal "$t_out" "rejected example-java-app/Deployment/javaapp egress 198.51.100.21/32"
t_equal "$t_err" "policygen: accepted example-java-app/Deployment/javaapp egress 198.51.100.0/24 443/TCP still decides example-java-app/Deployment/javaapp egress 198.51.100.21/32 443/TCP: it is more specific"
t_run 0 "$POLICYGEN" review list --db "$rdb" "${cwindow[@]}" --workload javaapp
t_line "$t_out" "$(peer_line 198.51.100.21/32 'accepted +bob')"
t_case "a decision that wins somewhere over an earlier one it does not replace says so"
t_run 0 "$POLICYGEN" review accept example-java-app/javaapp egress 198.51.100.0/24 443/TCP --by bob --db "$rdb"
t_equal "$t_out" "accepted example-java-app/Deployment/javaapp egress 198.51.100.0/24 443/TCP; replaces 1 earlier decision"
t_equal "$t_err" "policygen: replaces: accepted example-java-app/Deployment/javaapp egress 198.51.100.0/24 443/TCP (by bob)
policygen: overrides rejected example-java-app/Deployment/javaapp egress 198.51.100.21/32 on example-java-app/Deployment/javaapp egress 198.51.100.21/32 443/TCP"

t_case "review clear in --review-db"
t_run 0 "$POLICYGEN" review clear example-java-app/javaapp egress 198.51.100.0/24 --db "$db" --review-db "$tmp/review.db"
t_equal "$t_out" "cleared rejected example-java-app/Deployment/javaapp egress 198.51.100.0/24"
"$POLICYGEN" generate --db "$db" "${window[@]}" --workload javaapp --review-db "$tmp/review.db" >"$tmp/rdb-cleared.yaml" 2>/dev/null
t_check "$(grep -n 'cidr' "$tmp/rdb-cleared.yaml")" grep -q '198\.51\.100\.20' "$tmp/rdb-cleared.yaml"
t_case "review clear takes no --reason"
t_run 2 "$POLICYGEN" review clear example-java-app/javaapp egress 198.51.100.20 --reason why --db "$rdb"
t_case "review clear of an unknown workload is refused"
t_run 2 "$POLICYGEN" review clear example-java-app/nope egress node --db "$rdb"
t_match "$t_err" "*no workload example-java-app/nope*"
t_case "review clear without a peer is refused"
t_run 2 "$POLICYGEN" review clear example-java-app/javaapp egress --db "$rdb"

t_case "review takes kubectl's names of the kinds, and keeps the Kind"
t_run 0 "$POLICYGEN" review accept example-java-app/deploy/javaapp egress example-java-app/deployments/jclient --db "$tmp/undecided.db" --by k
t_equal "$(sqlite3 "$tmp/undecided.db" "SELECT kind || ' ' || peer FROM review WHERE decided_by = 'k'")" "Deployment example-java-app/Deployment/jclient"

t_done
