#!/bin/bash
# policygen import: kubectl output (JSON and YAML, Lists and streams) into
# the inventory; IP intervals over time; every bad-input case refused with
# its line and column, and nothing of a bad snapshot kept.
. "$(dirname "$0")/../lib.sh"

t_tmpdir import
db=$tmp/podflow.db

# --- a whole cluster, as YAML and as JSON ------------------------------
t_case "import the YAML List"
t_run 0 "$POLICYGEN" import --db "$db" --at 2026-11-23T09:00:00Z "$FIXTURES/cluster.yaml"
t_equal "$t_out" "imported 3 namespaces, 1 node, 6 pods, 4 services, 6 workload objects; 0 pods no longer listed"
t_case "unused kinds are skipped with a warning"
t_match "$t_err" "*skipped 1 ConfigMap object*"
t_case "import the JSON List from stdin"
t_run 0 sh -c "'$POLICYGEN' import --db '$tmp/json.db' --at 2026-11-23T09:00:00Z - <'$FIXTURES/cluster.json'"
t_case "JSON and YAML give the same inventory"
for t in namespace node node_address owner pod pod_ip pod_port service service_ip service_port; do
	t_check "table $t differs" [ "$(t_sql "$db" "SELECT * FROM $t ORDER BY 1, 2")" = \
		"$(t_sql "$tmp/json.db" "SELECT * FROM $t ORDER BY 1, 2")" ]
done

w="SELECT workload_kind || '/' || workload_name FROM pod WHERE name ="
t_sql_case "Deployment through its ReplicaSet" "$db" "$w 'web-7d4b9c6f5-abcde'" "Deployment/web"
t_sql_case "Deployment from the pod-template-hash alone" "$db" "$w 'coredns-5d78c9869d-q2w3e'" "Deployment/coredns"
t_sql_case "StatefulSet" "$db" "$w 'db-0'" "StatefulSet/db"
t_sql_case "DaemonSet" "$db" "$w 'node-exporter-x7k2p'" "DaemonSet/node-exporter"
t_sql_case "CronJob through its Job" "$db" "$w 'report-29398500-xyz12'" "CronJob/report"
t_sql_case "bare pod" "$db" "$w 'debug'" "Pod/debug"
t_sql_case "dual-stack pod IPs" "$db" \
	"SELECT group_concat(ip, ' ') FROM (SELECT ip FROM ip_holders WHERE pod = 'web-7d4b9c6f5-abcde' ORDER BY ip)" \
	"10.244.1.5 fd00:10:244:1::5"
t_sql_case "a hostNetwork pod never resolves an IP" "$db" \
	"SELECT count(*) FROM ip_holders WHERE ip = '192.168.0.10'" 0
t_sql_case "node addresses, hostnames left out" "$db" \
	"SELECT group_concat(address || '=' || node, ' ') FROM (SELECT * FROM node_address ORDER BY address)" \
	"192.168.0.10=node-a fd00:192:168::10=node-a"
t_sql_case "a finished Job's pod gave its IP back when its container ended" "$db" \
	"SELECT valid_until FROM pod_ip JOIN pod ON pod.id = pod_id WHERE pod.name LIKE 'report-%'" \
	"$(date -u -d 2026-11-21T03:02:30Z +%s)"
t_sql_case "named ports" "$db" \
	"SELECT group_concat(name || ':' || port || '/' || protocol, ' ') FROM (SELECT * FROM pod_port JOIN pod ON pod.id = pod_id WHERE pod.name = 'coredns-5d78c9869d-q2w3e' ORDER BY port, protocol)" \
	"dns-tcp:53/TCP dns:53/UDP"
t_sql_case "labels are JSON for sqlite3" "$db" \
	"SELECT json_extract(labels, '$.team') FROM namespace WHERE name = 'shop'" "storefront"
t_sql_case "owner selectors keep matchExpressions" "$db" \
	"SELECT json_extract(selector, '$.matchExpressions[0].operator') FROM owner WHERE name = 'web' AND kind = 'Deployment'" "In"
t_sql_case "Service target ports by name, headless without address" "$db" \
	"SELECT group_concat(s.name || ':' || sp.port || '->' || sp.target_port || ':' || coalesce(si.ip, '-'), ' ') FROM (SELECT * FROM service ORDER BY name) s JOIN service_port sp ON sp.service_id = s.id LEFT JOIN service_ip si ON si.service_id = s.id AND si.ip NOT LIKE '%:%' WHERE s.namespace = 'shop'" \
	"db:5432->5432:- payments-api:443->8443:10.96.0.40 web:80->http:10.96.0.15"
t_sql_case "a Service without selector is marked so" "$db" \
	"SELECT coalesce(selector, 'none') FROM service WHERE name = 'payments-api'" "none"

# --- a pod deleted between two snapshots; another namespace untouched ---
# The second snapshot: only namespace shop (kubectl get pods -n shop),
# without the debug pod.
awk '
	/^- / { flush(); buf = $0 "\n"; next }
	/^[a-z]/ { flush(); print; next }
	{ buf = buf $0 "\n" }
	function flush() {
		if (buf != "" && buf ~ /kind: Pod\n/ && buf ~ /namespace: shop\n/ && buf !~ /name: debug\n/)
			printf "%s", buf
		buf = ""
	}
	END { flush() }' "$FIXTURES/cluster.yaml" >"$tmp/shop-pods.yaml"
t_case "second snapshot of one namespace"
t_run 0 "$POLICYGEN" import --db "$db" --at 2026-11-23T11:00:00Z "$tmp/shop-pods.yaml"
t_match "$t_out" "*3 pods, *; 1 pod no longer listed"
t_sql_case "a pod no longer listed ends at that snapshot" "$db" \
	"SELECT valid_until FROM pod_ip JOIN pod ON pod.id = pod_id WHERE pod.name = 'debug'" \
	"$(date -u -d 2026-11-23T11:00:00Z +%s)"
t_sql_case "a snapshot of one namespace ends nothing elsewhere" "$db" \
	"SELECT count(*) FROM pod WHERE namespace = 'kube-system' AND gone_at IS NOT NULL" 0

# --- an IP reused by a pod of another workload --------------------------
reuse=$tmp/reuse.db
t_pod_item web-7d4b9c6f5-aaaaa 11111111-0000-4000-8000-000000000001 10.244.2.9 2026-11-23T08:00:00Z web-7d4b9c6f5 7d4b9c6f5 |
	t_list >"$tmp/s1.yaml"
t_pod_item payments-59c8d7b6a-bbbbb 11111111-0000-4000-8000-000000000002 10.244.2.9 2026-11-23T08:30:00Z payments-59c8d7b6a 59c8d7b6a |
	t_list >"$tmp/s2.yaml"
"$POLICYGEN" import --db "$reuse" --at 2026-11-23T08:10:00Z "$tmp/s1.yaml" >/dev/null &&
	"$POLICYGEN" import --db "$reuse" --at 2026-11-23T08:40:00Z "$tmp/s2.yaml" >/dev/null ||
	t_fail "IP reuse imports" "import failed"
t8=$(date -u -d 2026-11-23T08:30:00Z +%s)
t_sql_case "the older holder's interval ends where the newer one's starts" "$reuse" \
	"SELECT workload_name || ' ' || valid_from || '-' || coalesce(valid_until, 'now') FROM ip_holders WHERE ip = '10.244.2.9' ORDER BY valid_from" \
	"web $(date -u -d 2026-11-23T08:00:00Z +%s)-$t8
payments $t8-now"
# Importing the old snapshot again (out of order) never widens history.
"$POLICYGEN" import --db "$reuse" --at 2026-11-23T08:10:00Z "$tmp/s1.yaml" >/dev/null
t_sql_case "history is kept when an old snapshot comes again" "$reuse" \
	"SELECT workload_name || ' ' || coalesce(valid_until, 'now') FROM ip_holders WHERE ip = '10.244.2.9' ORDER BY valid_from" \
	"web $t8
payments now"

# --- a watch stream: add, update, delete, reuse --------------------------
t_case "watch stream"
t_run 0 "$POLICYGEN" import --db "$tmp/watch.db" --watch --at 2026-11-23T10:30:00Z "$FIXTURES/watch-pods.yaml"
t_sql_case "watch: the update gave the pod its IP, the delete ended it, the next holder follows" "$tmp/watch.db" \
	"SELECT pod || ' ' || valid_from || '-' || coalesce(valid_until, 'now') FROM ip_holders WHERE ip = '10.244.1.20' ORDER BY valid_from" \
	"cart-5f6d7c8b9-aaaaa $(date -u -d 2026-11-23T10:00:02Z +%s)-$(date -u -d 2026-11-23T10:20:30Z +%s)
search-6c7d8e9f0-ccccc $(date -u -d 2026-11-23T10:20:41Z +%s)-now"
t_sql_case "watch: absence ends nothing" "$tmp/watch.db" \
	"SELECT count(*) FROM pod_ip WHERE ip = '10.244.1.21' AND valid_until IS NULL" 1

# --- partial snapshots never end what they do not list --------------------
p=$tmp/partial.db
"$POLICYGEN" import --db "$p" --at 2026-11-23T09:00:00Z "$FIXTURES/cluster.yaml" >/dev/null 2>&1
awk '/^- /{keep = 0} /^- apiVersion: v1$/{getline k; keep = (k ~ /kind: Namespace/); if (keep) print; if (keep) print k; next}
	keep || /^[a-z]/' "$FIXTURES/cluster.yaml" >"$tmp/namespaces.yaml"
t_case "a snapshot of namespaces only"
t_run 0 "$POLICYGEN" import --db "$p" --at 2026-11-23T10:00:00Z "$tmp/namespaces.yaml"
t_match "$t_out" "imported 3 namespaces, 0 nodes, 0 pods*; 0 pods no longer listed"
t_sql_case "a snapshot of namespaces ends no pod" "$p" "SELECT count(*) FROM pod WHERE gone_at IS NOT NULL" 0
"$POLICYGEN" import --db "$p" --at 2026-11-23T11:00:00Z "$tmp/shop-pods.yaml" >/dev/null
"$POLICYGEN" import --db "$p" --at 2026-11-23T12:00:00Z "$FIXTURES/cluster.yaml" >/dev/null 2>&1
t_sql_case "a pod listed again after an absence never went" "$p" \
	"SELECT coalesce(gone_at, 'none') || ' ' || coalesce(valid_until, 'open') FROM pod JOIN pod_ip ON pod_id = pod.id WHERE name = 'debug'" \
	"none open"

# --- a known pod whose IP changes ----------------------------------------
sed -e 's/10\.244\.1\.21/10.244.1.31/g' -e 's/resourceVersion: "20006"/resourceVersion: "20300"/' \
	"$FIXTURES/watch-pods.yaml" | awk 'BEGIN{RS="---\n"; ORS=""} NR==3 {print}' >"$tmp/newip.yaml"
"$POLICYGEN" import --db "$tmp/watch2.db" --watch --at 2026-11-23T10:30:00Z "$FIXTURES/watch-pods.yaml" >/dev/null
"$POLICYGEN" import --db "$tmp/watch2.db" --watch --at 2026-11-23T11:00:00Z "$tmp/newip.yaml" >/dev/null
t11=$(date -u -d 2026-11-23T11:00:00Z +%s)
t_sql_case "a pod's new IP starts when seen, its old one ends then" "$tmp/watch2.db" \
	"SELECT group_concat(ip || ' ' || valid_from || '-' || coalesce(valid_until, 'now'), ', ') FROM (SELECT * FROM ip_holders WHERE pod = 'cart-5f6d7c8b9-bbbbb' ORDER BY ip)" \
	"10.244.1.21 $(date -u -d 2026-11-23T10:00:03Z +%s)-$t11, 10.244.1.31 $t11-now"

# --- label values kubectl prints bare stay strings ------------------------
printf 'kind: Namespace\nmetadata:\n  name: odd\n  labels:\n    tier: inf\n    version: 1.20\n    enabled: true\n' >"$tmp/odd.yaml"
"$POLICYGEN" import --db "$tmp/odd.db" "$tmp/odd.yaml" >/dev/null
t_sql_case "label values are JSON strings" "$tmp/odd.db" \
	"SELECT json_valid(labels) || ' ' || json_type(labels, '$.version') || ' ' || json_extract(labels, '$.version') || ' ' || json_type(labels, '$.enabled') FROM namespace" \
	"1 text 1.20 text"

# --- bad input: line and column, exit 2, nothing kept -------------------
before=$(t_sql "$db" "SELECT count(*) FROM pod")
bad() { # NAME WANT INPUT
	printf '%s\n' "$3" >"$tmp/bad.yaml"
	t_case "$1"
	t_run 2 "$POLICYGEN" import --db "$db" "$tmp/bad.yaml"
	t_check "want one line: $t_err" [ "$(printf '%s\n' "$t_err" | wc -l)" -eq 1 ]
	t_match "$t_err" "*$tmp/bad.yaml:$2*"
	t_check "pods were written" [ "$(t_sql "$db" "SELECT count(*) FROM pod")" = "$before" ]
}
valid_pod=$(t_pod_item ok-1 22222222-0000-4000-8000-000000000001 10.244.3.1 2026-11-23T08:00:00Z ok-5f5f5f5f5 5f5f5f5f5)
bad "malformed YAML" "4:4: did not find expected ',' or '}' while parsing a flow mapping" "items:
- kind: Pod
  metadata: {name: x
bad: [1"
bad "malformed JSON" "1:42: did not find expected ',' or '}'" \
	'{"kind": "Pod", "metadata": {"name": "x" "uid": "y"}}'
bad "an object without kind" "1:1: object: missing kind" "metadata: {name: x}"

t_case "a missing file"
t_run 2 "$POLICYGEN" import --db "$db" "$tmp/none.yaml"
t_match "$t_err" "*$tmp/none.yaml: No such file or directory*"

# Empty input (kubectl failed before printing) is refused; an empty List
# (nothing of that kind in the cluster) is not.
t_case "empty input is refused"
t_run 2 bash -c "printf '' | '$POLICYGEN' import --db '$tmp/empty.db' -"
t_match "$t_err" "*<stdin>: no YAML or JSON document in the input*"
t_case "an empty List is a snapshot"
t_run 0 bash -c "printf 'apiVersion: v1\\nkind: List\\nitems: []\\n' | '$POLICYGEN' import --db '$tmp/empty.db' -"

t_done
