#!/bin/bash
# policygen flows and workloads: flows resolved to the workload that held
# each address at the time, across IP reuse; the workload_edges view.
. "$(dirname "$0")/../lib.sh"

fixtures=$(cd "$(dirname "$0")/../fixtures" && pwd)
tmp=$(mktemp -d /tmp/podflow-flows.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/podflow.db
ts() { date -u -d "$1" +%s; }

# An edge row as podflowd writes it: BUCKET CLIENT SERVER PORT PROTO CONNS [SVC SVCPORT]
edge() {
	local b=$(ts "$1")
	echo "INSERT INTO edge (bucket, client_ip, server_ip, server_port, protocol, service_ip, service_port, first_seen, last_seen, connections) VALUES ($b, '$2', '$3', $4, $5, '${7:-}', ${8:-0}, $b + 5, $b + 20, $6);"
}

"$POLICYGEN" import --db "$db" --at 2026-11-23T09:00:00Z "$fixtures/cluster.yaml" >/dev/null 2>&1 ||
	t_fail "import" "failed"
{
	echo "INSERT INTO meta (key, value) VALUES ('pod_cidrs', '10.244.0.0/16 fd00:10:244::/48'), ('time_bucket_seconds', '60');"
	edge 2026-11-23T08:00:00Z 10.244.1.5 10.244.0.3 53 17 5 10.96.0.10 53
	edge 2026-11-23T08:01:00Z 10.244.1.5 10.244.0.3 53 17 2 10.96.0.10 53
	edge 2026-11-23T08:00:00Z 10.244.1.5 10.244.1.6 5432 6 3
	edge 2026-11-23T08:00:00Z 192.168.0.10 10.244.1.5 8080 6 2
	edge 2026-11-23T08:00:00Z 10.244.1.99 10.244.1.5 8080 6 4 10.96.0.15 80
	edge 2026-11-23T08:02:00Z 10.244.1.7 203.0.113.7 1389 6 1
} | sqlite3 "$db"

t_expect "flows" 0 "$POLICYGEN" flows --db "$db" && t_ok "flows"
line() { # NAME PATTERN: a line of the last output matches
	if printf '%s\n' "$t_out" | grep -Eq "$2"; then t_ok "$1"; else t_fail "$1" "no line like '$2' in:
$t_out"; fi
}
line "pod to pod through a Service, summed over buckets" \
	'^shop/Deployment/web +kube-system/Deployment/coredns +53/UDP +kube-system/kube-dns +7 '
line "pod to pod direct" '^shop/Deployment/web +shop/StatefulSet/db +5432/TCP +- +3 '
line "a node address is the node" '^node/node-a +shop/Deployment/web +8080/TCP'
line "an unknown pod IP is shown, not dropped" '^10\.244\.1\.99 \(pod IP, no pod known\) +shop/Deployment/web +8080/TCP +shop/web +4 '
line "an external address" '^shop/Pod/debug +203\.0\.113\.7 +1389/TCP'

t_expect "flows --since/--until" 0 "$POLICYGEN" flows --db "$db" \
	--since 2026-11-23T08:01:30Z --until 2026-11-23T09:00:00Z &&
	[ "$(printf '%s\n' "$t_out" | wc -l)" -eq 2 ] && line "flows --since/--until" '^shop/Pod/debug '
t_expect "flows --workload" 0 "$POLICYGEN" flows --db "$db" --namespace shop --workload db &&
	[ "$(printf '%s\n' "$t_out" | wc -l)" -eq 2 ] && line "flows --workload" 'shop/StatefulSet/db'

t_expect "flows -o yaml" 0 "$POLICYGEN" flows --db "$db" -o yaml --namespace kube-system
printf '%s\n' "$t_out" >"$tmp/flows.yaml"
got=$(/usr/bin/python3 - "$tmp/flows.yaml" <<'PY'
import sys, yaml
flows = yaml.safe_load(open(sys.argv[1]))
f = flows[0]
print(len(flows), f["source"]["name"], f["destination"]["kind"], f["port"], f["protocol"],
      f["service"]["name"], f["connections"], type(f["firstSeen"]).__name__)
PY
)
[ "$got" = "1 web Deployment 53 UDP kube-dns 7 str" ] && t_ok "flows -o yaml parses, times stay strings" ||
	t_fail "flows -o yaml parses, times stay strings" "$got"

t_expect "workloads" 0 "$POLICYGEN" workloads --db "$db" --namespace shop --now 2026-11-23T08:30:00Z && t_ok "workloads"
line "workloads: pods now, owner selector, connections out and in" \
	'^shop +Deployment +web +1 +\{"matchExpressions".*"matchLabels":\{"app":"web"\}\} +10 +6 +learning$'
line "workloads: a finished CronJob runs no pod now, and is silent" '^shop +CronJob +report +0 .* silent$'
t_expect "workloads later" 0 "$POLICYGEN" workloads --db "$db" --namespace shop --now 2026-11-23T09:30:00Z &&
	line "workloads: stable once its last flow is older than an hour" '^shop +StatefulSet +db +1 .* +0 +3 +stable$'
line "workloads: a bare pod's selector comes from its labels" '^shop +Pod +debug +1 +\{"matchLabels":\{"run":"debug"\}\} \(from its pods\)'

# --- the same address, two workloads over time --------------------------
r=$tmp/reuse.db
t_pod_item web-7d4b9c6f5-aaaaa 11111111-0000-4000-8000-000000000001 10.244.2.9 2026-11-23T08:00:00Z web-7d4b9c6f5 7d4b9c6f5 | t_list >"$tmp/s1.yaml"
t_pod_item payments-59c8d7b6a-bbbbb 11111111-0000-4000-8000-000000000002 10.244.2.9 2026-11-23T08:30:30Z payments-59c8d7b6a 59c8d7b6a | t_list >"$tmp/s2.yaml"
"$POLICYGEN" import --db "$r" --at 2026-11-23T08:10:00Z "$tmp/s1.yaml" >/dev/null &&
	"$POLICYGEN" import --db "$r" --at 2026-11-23T08:40:00Z "$tmp/s2.yaml" >/dev/null || t_fail "reuse imports" "failed"
{
	echo "INSERT INTO meta (key, value) VALUES ('time_bucket_seconds', '60');"
	edge 2026-11-23T08:10:00Z 10.244.5.5 10.244.2.9 8080 6 1
	edge 2026-11-23T08:30:00Z 10.244.5.5 10.244.2.9 8080 6 1
	edge 2026-11-23T08:35:00Z 10.244.5.5 10.244.2.9 8080 6 1
} | sqlite3 "$r"
t_expect "flows across an IP reuse" 0 "$POLICYGEN" flows --db "$r" --until 2026-11-23T08:20:00Z &&
	line "before the reuse: the old holder" '10\.244\.5\.5 +shop/Deployment/web +8080/TCP +- +1 '
t_expect "flows after the reuse" 0 "$POLICYGEN" flows --db "$r" --since 2026-11-23T08:34:00Z &&
	line "after the reuse: the new holder" '10\.244\.5\.5 +shop/Deployment/payments +8080/TCP +- +1 '
[ "$(printf '%s\n' "$t_out" | grep -c web)" -eq 0 ] && t_ok "after the reuse: never the old holder" ||
	t_fail "after the reuse: never the old holder" "$t_out"
t_expect "flows in the bucket of the reuse" 0 "$POLICYGEN" flows --db "$r" \
	--since 2026-11-23T08:30:00Z --until 2026-11-23T08:31:00Z &&
	line "the bucket of the reuse: the old holder, marked" 'shop/Deployment/web .*ambiguous: reused IP$' &&
	line "the bucket of the reuse: the new holder, marked" 'shop/Deployment/payments .*ambiguous: reused IP$'
expect_sql() {
	local got
	got=$(sqlite3 -readonly "$r" "$2")
	[ "$got" = "$3" ] && t_ok "$1" || t_fail "$1" "got '$got', want '$3'"
}
expect_sql "workload_edges view: both holders, the reuse bucket ambiguous" \
	"SELECT group_concat(dst_name || ':' || connections || ':' || ambiguous, ' ') FROM (SELECT * FROM workload_edges ORDER BY dst_name)" \
	"payments:2:1 web:2:1"
case $t_err in *"$r: 1 flow row carries no connection start times"*) t_ok "rows without start times are named as credited by bucket" ;;
*) t_fail "rows without start times are named as credited by bucket" "$t_err" ;; esac
# As podflowd records them now: the connections of the reuse bucket
# started at 08:30:05, before payments' pod (08:30:30).
sqlite3 "$r" "UPDATE edge SET last_start = first_seen"
t_expect "flows in the bucket of the reuse, by start times" 0 "$POLICYGEN" flows --db "$r" \
	--since 2026-11-23T08:30:00Z --until 2026-11-23T08:31:00Z &&
	line "by start times: the holder when the connections started, unmarked" '10\.244\.5\.5 +shop/Deployment/web +8080/TCP +- +1 +[^ ]+ +[^ ]+ *$'
[ "$(printf '%s\n' "$t_out" | grep -c payments)" -eq 0 ] && t_ok "by start times: not the next holder" ||
	t_fail "by start times: not the next holder" "$t_out"
[ -z "$t_err" ] && t_ok "rows with start times: no note" || t_fail "rows with start times: no note" "$t_err"

# --- two pods of one workload on one address in one bucket: counted once --
t_pod_item web-7d4b9c6f5-ccccc 11111111-0000-4000-8000-000000000003 10.244.2.10 2026-11-23T09:00:00Z web-7d4b9c6f5 7d4b9c6f5 |
	t_list >"$tmp/s3.yaml"
t_pod_item web-7d4b9c6f5-ddddd 11111111-0000-4000-8000-000000000004 10.244.2.10 2026-11-23T09:00:30Z web-7d4b9c6f5 7d4b9c6f5 |
	t_list >"$tmp/s4.yaml"
"$POLICYGEN" import --db "$r" --at 2026-11-23T09:00:10Z "$tmp/s3.yaml" >/dev/null
"$POLICYGEN" import --db "$r" --at 2026-11-23T09:01:00Z "$tmp/s4.yaml" >/dev/null
edge 2026-11-23T09:00:00Z 10.244.5.6 10.244.2.10 8080 6 10 | sqlite3 "$r"
t_expect "a rolling restart on one address" 0 "$POLICYGEN" flows --db "$r" --since 2026-11-23T09:00:00Z &&
	line "a rolling restart on one address counts its connections once" '^10\.244\.5\.6 +shop/Deployment/web +8080/TCP +- +10 '

# --- a ClusterIP that moved to a new Service -------------------------------
svc() { # NAME UID CREATED
	cat <<-YAML
	- apiVersion: v1
	  kind: Service
	  metadata:
	    creationTimestamp: "$3"
	    name: $1
	    namespace: shop
	    uid: $2
	  spec:
	    clusterIP: 10.96.7.7
	    clusterIPs:
	    - 10.96.7.7
	    ports:
	    - port: 80
	      protocol: TCP
	      targetPort: 8080
	    selector:
	      app: $1
	    type: ClusterIP
	YAML
}
svc old 22222222-0000-4000-8000-000000000001 2026-11-20T00:00:00Z | t_list >"$tmp/v1.yaml"
svc new 22222222-0000-4000-8000-000000000002 2026-11-23T09:30:00Z | t_list >"$tmp/v2.yaml"
"$POLICYGEN" import --db "$r" --at 2026-11-23T09:00:00Z "$tmp/v1.yaml" >/dev/null
"$POLICYGEN" import --db "$r" --at 2026-11-23T10:00:00Z "$tmp/v2.yaml" >/dev/null
{
	edge 2026-11-23T09:10:00Z 10.244.5.7 10.244.2.10 8080 6 3 10.96.7.7 80
	edge 2026-11-23T09:40:00Z 10.244.5.7 10.244.2.10 8080 6 4 10.96.7.7 80
} | sqlite3 "$r"
t_expect "a ClusterIP reused by another Service" 0 "$POLICYGEN" flows --db "$r" --since 2026-11-23T09:05:00Z &&
	line "before: the Service that had the ClusterIP then" '^10\.244\.5\.7 .* shop/old +3 ' &&
	line "after: the Service that has it now" '^10\.244\.5\.7 .* shop/new +4 '

t_expect "a bad --since" 2 "$POLICYGEN" flows --db "$db" --since yesterday &&
	case $t_err in *"--since: 'yesterday' is neither"*) t_ok "a bad --since" ;; *) t_fail "a bad --since" "$t_err" ;; esac

t_done
