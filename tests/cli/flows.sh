#!/bin/bash
# policygen flows and workloads: flows resolved to the workload that held
# each address at the time, across IP reuse; the workload_edges view.
. "$(dirname "$0")/../lib.sh"

t_tmpdir flows
db=$tmp/podflow.db
ts() { date -u -d "$1" +%s; }

# An edge row as podflowd writes it: BUCKET CLIENT SERVER PORT PROTO CONNS [SVC SVCPORT]
edge() {
	local b=$(ts "$1")
	echo "INSERT INTO edge (bucket, client_ip, server_ip, server_port, protocol, service_ip, service_port, first_seen, last_seen, connections) VALUES ($b, '$2', '$3', $4, $5, '${7:-}', ${8:-0}, $b + 5, $b + 20, $6);"
}

"$POLICYGEN" import --db "$db" --at 2026-11-23T09:00:00Z "$FIXTURES/cluster.yaml" >/dev/null 2>&1 ||
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

t_case "flows"
t_run 0 "$POLICYGEN" flows --db "$db"
t_case "pod to pod through a Service, summed over buckets"
t_line "$t_out" '^shop/Deployment/web +kube-system/Deployment/coredns +53/UDP +kube-system/kube-dns +7 '
t_case "pod to pod direct"
t_line "$t_out" '^shop/Deployment/web +shop/StatefulSet/db +5432/TCP +- +3 '
t_case "a node address is the node"
t_line "$t_out" '^node/node-a +shop/Deployment/web +8080/TCP'
t_case "an unknown pod IP is shown, not dropped"
t_line "$t_out" '^10\.244\.1\.99 \(pod IP, no pod known\) +shop/Deployment/web +8080/TCP +shop/web +4 '
t_case "an external address"
t_line "$t_out" '^shop/Pod/debug +203\.0\.113\.7 +1389/TCP'

# lines TEXT: how many lines TEXT has.
lines() { printf '%s\n' "$1" | wc -l; }
t_case "flows --since/--until"
t_run 0 "$POLICYGEN" flows --db "$db" --since 2026-11-23T08:01:30Z --until 2026-11-23T09:00:00Z
t_equal "$(lines "$t_out")" 2
t_line "$t_out" '^shop/Pod/debug '
t_case "flows --workload"
t_run 0 "$POLICYGEN" flows --db "$db" --namespace shop --workload db
t_equal "$(lines "$t_out")" 2
t_line "$t_out" 'shop/StatefulSet/db'

t_case "flows -o yaml parses, times stay strings"
t_run 0 "$POLICYGEN" flows --db "$db" -o yaml --namespace kube-system
printf '%s\n' "$t_out" >"$tmp/flows.yaml"
got=$(/usr/bin/python3 - "$tmp/flows.yaml" <<'PY'
import sys, yaml
flows = yaml.safe_load(open(sys.argv[1]))
f = flows[0]
print(len(flows), f["source"]["name"], f["destination"]["kind"], f["port"], f["protocol"],
      f["service"]["name"], f["connections"], type(f["firstSeen"]).__name__)
PY
)
t_equal "$got" "1 web Deployment 53 UDP kube-dns 7 str"

t_case "workloads"
t_run 0 "$POLICYGEN" workloads --db "$db" --namespace shop --now 2026-11-23T08:30:00Z
t_case "workloads: pods now, owner selector, connections out and in"
t_line "$t_out" '^shop +Deployment +web +1 +\{"matchExpressions".*"matchLabels":\{"app":"web"\}\} +10 +6 +learning$'
t_case "workloads: a finished CronJob runs no pod now, and is silent"
t_line "$t_out" '^shop +CronJob +report +0 .* silent$'
t_case "workloads: stable once its newest entry is older than an hour"
t_run 0 "$POLICYGEN" workloads --db "$db" --namespace shop --now 2026-11-23T09:30:00Z
t_line "$t_out" '^shop +StatefulSet +db +1 .* +0 +3 +stable$'
t_case "workloads: a bare pod's selector comes from its labels"
t_line "$t_out" '^shop +Pod +debug +1 +\{"matchLabels":\{"run":"debug"\}\} \(from its pods\)'

t_case "flows and workloads leave the system namespaces out, -A takes them"
t_run 0 "$POLICYGEN" workloads --db "$db" --now 2026-11-23T09:30:00Z
t_nomatch "$t_out" "*kube-system*"
t_run 0 "$POLICYGEN" workloads --db "$db" --now 2026-11-23T09:30:00Z -A
t_line "$t_out" '^kube-system +Deployment +coredns '
t_run 0 "$POLICYGEN" flows --db "$db" -n kube-system
t_equal "$(lines "$t_out")" 2
t_line "$t_out" '^shop/Deployment/web +kube-system/Deployment/coredns '
t_case "workloads -o name, the syntax --workload takes"
t_run 0 "$POLICYGEN" workloads --db "$db" -n shop -o name
t_line "$t_out" '^shop/Deployment/web$'
t_run 0 "$POLICYGEN" flows --db "$db" --workload "$(printf '%s\n' "$t_out" | grep /db$)"
t_line "$t_out" 'shop/StatefulSet/db'
t_case "workloads -o json, -o wide"
t_run 0 "$POLICYGEN" workloads --db "$db" -n shop -o json --now 2026-11-23T09:30:00Z
t_equal "$(printf '%s\n' "$t_out" | python3 -c 'import json, sys; w = [x for x in json.load(sys.stdin) if x["name"] == "db"][0]; print(w["kind"], w["podsNow"], w["connectionsIn"], w["status"], w["hostNetwork"])')" "StatefulSet 1 3 stable False"
t_run 0 "$POLICYGEN" workloads --db "$db" -n shop -o wide --now 2026-11-23T09:30:00Z
t_line "$t_out" '^shop +StatefulSet +db +1 .* +0 +3 +stable +2026-11-23T08:00:20Z$'
t_case "flows -o json"
t_run 0 "$POLICYGEN" flows --db "$db" -o json -n kube-system
t_equal "$(printf '%s\n' "$t_out" | python3 -c 'import json, sys; f = json.load(sys.stdin)[0]; print(f["destination"]["name"], f["connections"])')" "coredns 7"
t_case "an empty answer says why and exits 1"
t_run 1 "$POLICYGEN" flows --db "$db" -n shpo
t_equal "$t_out" ""
t_match "$t_err" "*policygen: no namespace shpo in the inventory of $db; did you mean shop?"
t_case "a --workload that names nothing is refused, as generate refuses it"
t_run 2 "$POLICYGEN" flows --db "$db" --workload shop/wbe
t_match "$t_err" "*policygen: --workload shop/wbe: no such workload; did you mean shop/Deployment/web?"
t_run 2 "$POLICYGEN" flows --db "$db" --workload coredns
t_match "$t_err" "*policygen: --workload coredns: not in the namespaces covered; the inventory has kube-system/Deployment/coredns: name its namespace (NAMESPACE/NAME) or give -A"
t_run 2 "$POLICYGEN" flows --db "$db" -n shop --workload coredns
t_match "$t_err" "*policygen: --workload coredns: not in the namespaces covered; the inventory has kube-system/Deployment/coredns: name its namespace (NAMESPACE/NAME), or -n it"
t_run 2 "$POLICYGEN" flows --db "$db" --workload nosuch -o json
t_equal "$t_out" ""
t_run 0 "$POLICYGEN" flows --db "$db" --workload coredns -A
t_line "$t_out" 'kube-system/Deployment/coredns'
t_case "an empty answer says why and exits 1: the window"
t_run 1 "$POLICYGEN" flows --db "$db" --since 2026-11-24T00:00:00Z --until 2026-11-25T00:00:00Z
t_match "$t_err" "*policygen: no flows in the namespaces covered from 2026-11-24T00:00:00Z to 2026-11-25T00:00:00Z"
t_run 1 "$POLICYGEN" flows --db "$db" -o json --since 2026-11-24T00:00:00Z
t_equal "$t_out" "[]"
t_case "no database: the error names --db and PODFLOW_DB"
t_run 3 "$POLICYGEN" workloads --db "$tmp/none.db"
t_equal "$t_err" "policygen: $tmp/none.db: no such database: give its path with --db PATH or PODFLOW_DB=PATH (podflowd writes /var/lib/podflow/podflow.db)"
t_run 3 env PODFLOW_DB="$tmp/none.db" "$POLICYGEN" generate
t_match "$t_err" "*$tmp/none.db: no such database: give its path with --db PATH or PODFLOW_DB=PATH*"
t_case "no inventory: the empty answer says to import one"
cp "$db" "$tmp/noinv.db"
sqlite3 "$tmp/noinv.db" "DELETE FROM pod; DELETE FROM namespace; DELETE FROM service; DELETE FROM node"
t_run 1 "$POLICYGEN" workloads --db "$tmp/noinv.db"
t_match "$t_err" "*policygen: no workloads: $tmp/noinv.db holds no inventory; import one: kubectl get namespaces,nodes,pods,*-A -o yaml | policygen import --db $tmp/noinv.db -"
t_run 1 "$POLICYGEN" generate --db "$tmp/noinv.db"
t_match "$t_err" "*policygen: 0 policies*policygen: no policies: $tmp/noinv.db holds no inventory*"
# --- learning: new entries, not new flows -------------------------------
# web has called db on 5432 every minute for three hours: nothing new.
s=$tmp/steady.db
"$POLICYGEN" import --db "$s" --at 2026-11-23T09:00:00Z "$FIXTURES/cluster.yaml" >/dev/null 2>&1 &&
	{
		echo "INSERT INTO meta (key, value) VALUES ('pod_cidrs', '10.244.0.0/16'), ('time_bucket_seconds', '60');"
		for h in 06 07 08; do
			for m in $(seq -w 0 59); do edge "2026-11-23T$h:$m:00Z" 10.244.1.5 10.244.1.6 5432 6 1; done
		done
	} | sqlite3 "$s" || t_fail "steady set-up" "failed"
t_case "workloads: talking every minute to the same peer for hours is stable"
t_run 0 "$POLICYGEN" workloads --db "$s" --namespace shop --now 2026-11-23T09:05:00Z
t_line "$t_out" '^shop +Deployment +web +1 .* +180 +0 +stable$'
t_line "$t_out" '^shop +StatefulSet +db +1 .* +0 +180 +stable$'
t_case "generate says the same of it, and when its newest entry appeared"
t_run 0 "$POLICYGEN" generate --db "$s" --namespace shop --now 2026-11-23T09:05:00Z
t_match "$t_out" "*name: podflow-deployment-web*podflow.io/newest-entry: 2026-11-23T06:00:05Z egress shop/StatefulSet/db 5432/TCP*podflow.io/status: stable*"
echo "$(edge 2026-11-23T08:55:00Z 10.244.1.5 10.244.1.6 5433 6 1)" | sqlite3 "$s"
t_case "workloads: a new port to the same peer is learning, on both sides"
t_run 0 "$POLICYGEN" workloads --db "$s" --namespace shop --now 2026-11-23T09:05:00Z
t_line "$t_out" '^shop +Deployment +web +1 .* +learning$'
t_line "$t_out" '^shop +StatefulSet +db +1 .* +learning$'
t_case "workloads --stable-after 5m: ten minutes old is stable"
t_run 0 "$POLICYGEN" workloads --db "$s" --namespace shop --now 2026-11-23T09:05:00Z --stable-after 5m
t_line "$t_out" '^shop +Deployment +web +1 .* +stable$'
t_case "workloads and generate agree, workload by workload"
for after in 1h 5m; do
	t_run 0 "$POLICYGEN" workloads --db "$s" --now 2026-11-23T09:05:00Z --stable-after $after || break
	listed=$(printf '%s\n' "$t_out" | awk 'NR > 1 && $4 > 0 && $(NF) != "silent" { print $2 "/" $3, $(NF) }' | sort)
	t_run 0 "$POLICYGEN" generate --db "$s" --now 2026-11-23T09:05:00Z --stable-after $after || break
	annotated=$(printf '%s\n' "$t_out" | awk '/podflow.io\/status:/ { s = $2 } /podflow.io\/workload:/ { print $2, s }' | sort)
	t_check "after $after: workloads says
$listed
generate says
$annotated" [ -n "$listed" ] && t_equal "$listed" "$annotated" || break
done
t_case "workloads -o json: the newest entry"
t_run 0 "$POLICYGEN" workloads --db "$s" -n shop -o json --now 2026-11-23T09:05:00Z
t_equal "$(printf '%s\n' "$t_out" | python3 -c 'import json, sys; w = [x for x in json.load(sys.stdin) if x["name"] == "web"][0]; e = w["newestEntry"]; print(w["status"], e["firstSeen"], e["direction"], e["peer"], e["port"], e["protocol"])')" "learning 2026-11-23T08:55:05Z egress shop/StatefulSet/db 5433 TCP"
t_case "workloads: a bad --stable-after"
t_run 2 "$POLICYGEN" workloads --db "$s" --stable-after soon
t_match "$t_err" "*--stable-after: 'soon' is not a duration like 30m or 1h*"

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
t_case "before the reuse: the old holder"
t_run 0 "$POLICYGEN" flows --db "$r" --until 2026-11-23T08:20:00Z
t_line "$t_out" '10\.244\.5\.5 +shop/Deployment/web +8080/TCP +- +1 '
t_case "after the reuse: the new holder"
t_run 0 "$POLICYGEN" flows --db "$r" --since 2026-11-23T08:34:00Z
t_line "$t_out" '10\.244\.5\.5 +shop/Deployment/payments +8080/TCP +- +1 '
t_case "after the reuse: never the old holder"
t_nomatch "$t_out" "*web*"
t_case "the bucket of the reuse: the old holder, marked"
t_run 0 "$POLICYGEN" flows --db "$r" --since 2026-11-23T08:30:00Z --until 2026-11-23T08:31:00Z
t_line "$t_out" 'shop/Deployment/web .*ambiguous: reused IP$'
t_case "the bucket of the reuse: the new holder, marked"
t_line "$t_out" 'shop/Deployment/payments .*ambiguous: reused IP$'
t_case "workload_edges view: both holders, the reuse bucket ambiguous"
t_equal "$(sqlite3 -readonly "$r" "SELECT group_concat(dst_name || ':' || connections || ':' || ambiguous, ' ')
	FROM (SELECT * FROM workload_edges ORDER BY dst_name)")" "payments:2:1 web:2:1"
t_case "rows without start times are named as credited by bucket"
t_match "$t_err" "*$r: 1 flow row carries no connection start times*"
# As podflowd records them now: the connections of the reuse bucket
# started at 08:30:05, before payments' pod (08:30:30).
sqlite3 "$r" "UPDATE edge SET last_start = first_seen"
t_case "by start times: the holder when the connections started, unmarked"
t_run 0 "$POLICYGEN" flows --db "$r" --since 2026-11-23T08:30:00Z --until 2026-11-23T08:31:00Z
t_line "$t_out" '10\.244\.5\.5 +shop/Deployment/web +8080/TCP +- +1 +[^ ]+ +[^ ]+ *$'
t_case "by start times: not the next holder"
t_nomatch "$t_out" "*payments*"
t_case "rows with start times: no note"
t_equal "$t_err" ""
# Connections to the address in that minute after payments' pod came up
# (08:30:30), and a peer that called it both before and after.
{
	edge 2026-11-23T08:30:00Z 10.244.5.6 10.244.2.9 9090 6 2
	edge 2026-11-23T08:30:00Z 10.244.5.7 10.244.2.9 8080 6 2
} | sqlite3 "$r"
b=$(ts 2026-11-23T08:30:00Z)
sqlite3 "$r" "UPDATE edge SET first_seen = $b + 40, last_start = $b + 45 WHERE client_ip = '10.244.5.6';
	UPDATE edge SET first_seen = $b + 10, last_start = $b + 50 WHERE client_ip = '10.244.5.7'"
t_case "by start times: started after the handover, the new holder, unmarked"
t_run 0 "$POLICYGEN" flows --db "$r" --since 2026-11-23T08:30:00Z --until 2026-11-23T08:31:00Z
t_line "$t_out" '^10\.244\.5\.6 +shop/Deployment/payments +9090/TCP +- +2 +[^ ]+ +[^ ]+ *$'
t_case "by start times: started before and after, both holders, each marked"
t_line "$t_out" '^10\.244\.5\.7 +shop/Deployment/payments +8080/TCP .*ambiguous: reused IP$'
t_line "$t_out" '^10\.244\.5\.7 +shop/Deployment/web +8080/TCP .*ambiguous: reused IP$'
t_case "by start times: only that row is marked"
t_equal "$(printf '%s\n' "$t_out" | grep -c ambiguous)" 2

# --- two pods of one workload on one address in one bucket: counted once --
t_pod_item web-7d4b9c6f5-ccccc 11111111-0000-4000-8000-000000000003 10.244.2.10 2026-11-23T09:00:00Z web-7d4b9c6f5 7d4b9c6f5 |
	t_list >"$tmp/s3.yaml"
t_pod_item web-7d4b9c6f5-ddddd 11111111-0000-4000-8000-000000000004 10.244.2.10 2026-11-23T09:00:30Z web-7d4b9c6f5 7d4b9c6f5 |
	t_list >"$tmp/s4.yaml"
"$POLICYGEN" import --db "$r" --at 2026-11-23T09:00:10Z "$tmp/s3.yaml" >/dev/null
"$POLICYGEN" import --db "$r" --at 2026-11-23T09:01:00Z "$tmp/s4.yaml" >/dev/null
edge 2026-11-23T09:00:00Z 10.244.5.6 10.244.2.10 8080 6 10 | sqlite3 "$r"
t_case "a rolling restart on one address counts its connections once"
t_run 0 "$POLICYGEN" flows --db "$r" --since 2026-11-23T09:00:00Z
t_line "$t_out" '^10\.244\.5\.6 +shop/Deployment/web +8080/TCP +- +10 '

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
t_case "before: the Service that had the ClusterIP then"
t_run 0 "$POLICYGEN" flows --db "$r" --since 2026-11-23T09:05:00Z
t_line "$t_out" '^10\.244\.5\.7 .* shop/old +3 '
t_case "after: the Service that has it now"
t_line "$t_out" '^10\.244\.5\.7 .* shop/new +4 '

t_case "a bad --since"
t_run 2 "$POLICYGEN" flows --db "$db" --since yesterday
t_match "$t_err" "*--since: 'yesterday' is neither*"

t_done
