#!/bin/bash
# policygen generate on the example-java-app scenario: golden output,
# valid against the official schema, and judged by an independent
# evaluator of NetworkPolicy semantics: every observed flow allowed, the
# log4shell callback and everything else unobserved denied.
. "$(dirname "$0")/../lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
fixtures=$top/tests/fixtures
golden=$top/tests/golden
schemas=${PODFLOW_K8S_SCHEMAS:-$top/../shared/k8s-openapi}
tmp=$(mktemp -d /tmp/podflow-generate.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/podflow.db

t_javaapp_db "$db"
window=(--since 2026-11-23T07:00:00Z --until 2026-11-23T09:00:00Z --now 2026-11-23T12:00:00Z)

# gen NAME GOLDEN ARGS...: output equal to the golden file, valid, and
# (for the default set) judged right by the evaluator.
gen() {
	local name=$1 gold=$2
	shift 2
	t_expect "$name" 0 "$POLICYGEN" generate --db "$db" "${window[@]}" "$@" || return 1
	printf '%s\n' "$t_out" >"$tmp/$gold"
	if ! diff -u "$golden/$gold" "$tmp/$gold" >"$tmp/diff"; then
		t_fail "$name" "differs from tests/golden/$gold:
$(head -40 "$tmp/diff")"
		return 1
	fi
	t_ok "$name"
	if out=$(/usr/bin/python3 "$top/tests/tools/k8s_validate.py" "$schemas" "$tmp/$gold" 2>&1); then
		t_ok "$name: valid against the NetworkPolicy schema"
	else
		t_fail "$name: valid against the NetworkPolicy schema" "$out"
	fi
}

gen "the example-java-app policies" javaapp.yaml
if out=$(/usr/bin/python3 "$top/tests/tools/netpol_eval.py" "$db" "$tmp/javaapp.yaml" "$fixtures/javaapp.flows"); then
	t_ok "observed flows allowed, the log4shell callback and the unobserved denied"
else
	t_fail "observed flows allowed, the log4shell callback and the unobserved denied" "$out"
fi
case $t_err in
*"selector of example-java-app/Deployment/javaapp also selects Pod/javaapp-debug"*) t_ok "a selector that picks another workload's pods is reported" ;;
*) t_fail "a selector that picks another workload's pods is reported" "$t_err" ;;
esac
case $t_err in
*"kube-system/DaemonSet/kube-proxy runs with hostNetwork"*) t_ok "hostNetwork workloads get no policy, and are named" ;;
*) t_fail "hostNetwork workloads get no policy, and are named" "$t_err" ;;
esac
case $t_err in
*"Pod/javaapp-debug had no traffic in the window; no policy"*) t_ok "silent workloads are listed" ;;
*) t_fail "silent workloads are listed" "$t_err" ;;
esac

gen "one workload, kube-dns, aggregated outside addresses, port ranges" javaapp-options.yaml \
	--namespace example-java-app --workload deployment/javaapp \
	--dns kube-dns --external-prefix 24 --port-range-threshold 3

t_expect "output is byte-for-byte reproducible" 0 "$POLICYGEN" generate --db "$db" "${window[@]}" &&
	{ [ "$t_out" = "$(cat "$tmp/javaapp.yaml")" ] && t_ok "output is byte-for-byte reproducible" ||
		t_fail "output is byte-for-byte reproducible" "second run differs"; }

# Modes.
t_expect "--ingress deny --egress allow" 0 "$POLICYGEN" generate --db "$db" "${window[@]}" \
	--workload jclient --ingress deny --egress allow &&
	case $t_out in *"  ingress: []"$'\n'"  egress:"$'\n'"  - {}") t_ok "--ingress deny --egress allow" ;;
	*) t_fail "--ingress deny --egress allow" "$t_out" ;; esac
t_expect "--ingress allow --egress deny" 0 "$POLICYGEN" generate --db "$db" "${window[@]}" \
	--workload jclient --ingress allow --egress deny &&
	case $t_out in *"  ingress:"$'\n'"  - {}"$'\n'"  egress: []") t_ok "--ingress allow --egress deny" ;;
	*) t_fail "--ingress allow --egress deny" "$t_out" ;; esac
t_expect "--dns none" 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --workload worker --dns none &&
	case $t_out in *"  egress: []") t_ok "--dns none" ;; *) t_fail "--dns none" "$t_out" ;; esac
t_expect "--dns any with --dns-ip" 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --workload worker \
	--dns any --dns-ip 169.254.20.10 &&
	case $t_out in
	*"cidr: 169.254.20.10/32"*"port: 53"*"namespaceSelector: {}"*"protocol: UDP"*"port: 53"*) t_ok "--dns any with --dns-ip" ;;
	*) t_fail "--dns any with --dns-ip" "$t_out" ;; esac
t_expect "--allow-internet keeps pods and services out" 0 "$POLICYGEN" generate --db "$db" "${window[@]}" \
	--workload javaapp --namespace example-java-app --allow-internet --service-cidr 10.96.0.0/12 &&
	case $t_out in
	*"198.51.100"*) t_fail "--allow-internet keeps pods and services out" "exact outside addresses remain" ;;
	*"cidr: 0.0.0.0/0"$'\n'"        except:"$'\n'"        - 10.244.0.0/16"$'\n'"        - 10.96.0.0/12"*"cidr: ::/0"*)
		t_ok "--allow-internet keeps pods and services out" ;;
	*) t_fail "--allow-internet keeps pods and services out" "$t_out" ;; esac
t_expect "--include-silent and --namespace-default-deny" 0 "$POLICYGEN" generate --db "$db" "${window[@]}" \
	--namespace example-java-app --include-silent --namespace-default-deny &&
	case $t_out in
	*"name: podflow-default-deny"*"podSelector: {}"*"name: podflow-pod-javaapp-debug"*"status: silent"*) t_ok "--include-silent and --namespace-default-deny" ;;
	*) t_fail "--include-silent and --namespace-default-deny" "$t_out" ;; esac

# Files.
t_expect "-o FILE" 0 "$POLICYGEN" generate --db "$db" "${window[@]}" -o "$tmp/out.yaml" &&
	{ cmp -s "$tmp/out.yaml" "$tmp/javaapp.yaml" && [ -z "$(ls "$tmp" | grep 'out.yaml.')" ] &&
		t_ok "-o FILE" || t_fail "-o FILE" "content differs or a temporary file was left"; }
t_expect "-o DIR/" 0 "$POLICYGEN" generate --db "$db" "${window[@]}" -o "$tmp/policies/" &&
	{ [ -f "$tmp/policies/example-java-app/podflow-deployment-jclient.yaml" ] &&
		[ -f "$tmp/policies/kube-system/podflow-deployment-coredns.yaml" ] &&
		[ "$(cat "$tmp"/policies/*/*.yaml | grep -c '^kind: NetworkPolicy')" -eq 5 ] &&
		t_ok "-o DIR/" || t_fail "-o DIR/" "$(find "$tmp/policies")"; }

# Two nodes' databases: the client's node saw jclient's calls through the
# Service; the server's node saw the same connections arrive directly.
# They count once, and what only the second node saw is added.
cp "$db" "$tmp/node-b.db"
{
	echo "DELETE FROM edge;"
	. "$fixtures/javaapp-flows.sh" >/dev/null
	edge 08:00:00 10.244.1.11 10.244.1.10 8080 6 20
	edge 08:30:00 10.244.1.10 198.51.100.50 443 6 2 '' 0 192.168.0.10
} | sqlite3 "$tmp/node-b.db"
t_expect "several nodes' databases" 0 "$POLICYGEN" generate --db "$db" --db "$tmp/node-b.db" "${window[@]}"
printf '%s\n' "$t_out" >"$tmp/two.yaml"
case $t_out in
*"name: podflow-deployment-jclient"*'podflow.io/connections: "61"'*) t_ok "a connection seen on two nodes counts once" ;;
*) t_fail "a connection seen on two nodes counts once" "$(grep -A8 'name: podflow-deployment-jclient' "$tmp/two.yaml")" ;;
esac
grep -q 'cidr: 198.51.100.50/32' "$tmp/two.yaml" && t_ok "what only one node saw is allowed too" ||
	t_fail "what only one node saw is allowed too" "no 198.51.100.50"

t_expect "--explain" 0 "$POLICYGEN" generate --db "$db" "${window[@]}" --workload jclient --explain &&
	case $t_err in
	*"egress  example-java-app/Deployment/javaapp"*"8080/TCP"*"21 conns"*"podflow.db  via example-java-app/javaapp"*)
		t_ok "--explain shows each rule's flows, database and Service" ;;
	*) t_fail "--explain shows each rule's flows, database and Service" "$t_err" ;; esac

# Warnings: lost events in the window, an outside peer set that churns.
cp "$db" "$tmp/warn.db"
{
	echo "INSERT INTO collector_counter (name, value, updated) VALUES ('enobufs', 3, $(date -u -d 2026-11-23T08:00:00Z +%s));"
	. "$fixtures/javaapp-flows.sh" >/dev/null
	for i in 1 2 3 4 5 6 7 8; do edge 08:40:00 10.244.1.11 192.0.2.$i 443 6 1; done
} | sqlite3 "$tmp/warn.db"
t_expect "warnings" 0 "$POLICYGEN" generate --db "$tmp/warn.db" "${window[@]}" --workload jclient
case $t_err in *"podflowd reported 3 lost-event episodes"*) t_ok "lost events in the window are reported" ;;
*) t_fail "lost events in the window are reported" "$t_err" ;; esac
case $t_err in *"Deployment/jclient reaches 8 outside addresses on 443/TCP"*"--external-prefix"*) t_ok "churning outside peers are reported" ;;
*) t_fail "churning outside peers are reported" "$t_err" ;; esac

# Errors.
t_expect "an unknown workload" 2 "$POLICYGEN" generate --db "$db" --workload nosuch &&
	case $t_err in *"--workload nosuch: no such workload"*) t_ok "an unknown workload" ;; *) t_fail "an unknown workload" "$t_err" ;; esac
cp "$db" "$tmp/ambiguous.db"
printf 'kind: Pod\nmetadata:\n  name: jclient\n  namespace: example-java-app\n  uid: 7e57da7a-ffff-4000-8000-000000000001\n  labels: {run: jclient}\nstatus:\n  podIPs: [{ip: 10.244.1.99}]\n' |
	"$POLICYGEN" import --db "$tmp/ambiguous.db" --watch - >/dev/null
t_expect "a bare --workload NAME of several kinds" 2 "$POLICYGEN" generate --db "$tmp/ambiguous.db" --workload jclient &&
	case $t_err in *"matches several workloads (example-java-app/Deployment/jclient, example-java-app/Pod/jclient)"*)
		t_ok "a bare --workload NAME of several kinds" ;;
	*) t_fail "a bare --workload NAME of several kinds" "$t_err" ;; esac
t_expect "a bad mode" 2 "$POLICYGEN" generate --db "$db" --ingress sometimes && t_ok "a bad mode"

# -o to something that is not a regular file (a pipe, /dev/stdout) is
# written in place: a rename would replace it with a file.
mkfifo "$tmp/pipe"
cat "$tmp/pipe" >"$tmp/from-pipe" &
"$POLICYGEN" generate --db "$db" "${window[@]}" -o "$tmp/pipe" 2>/dev/null
wait
if [ -p "$tmp/pipe" ] && grep -q 'kind: NetworkPolicy' "$tmp/from-pipe"; then
	t_ok "-o to a pipe writes through it, and leaves it a pipe"
else
	t_fail "-o to a pipe writes through it, and leaves it a pipe" "$(ls -l "$tmp/pipe"; head -3 "$tmp/from-pipe")"
fi

t_done
