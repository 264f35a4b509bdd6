#!/bin/bash
# policygen's exit statuses, one table for every command (README,
# policygen(1)): 0 done and complete, 1 done but "no" or partial, 2 usage
# or invalid input, 3 a runtime failure (database, files).
. "$(dirname "$0")/../lib.sh"

t_tmpdir exit
db=$tmp/podflow.db
t_javaapp_db "$db"
window=(--since 2026-11-23T07:00:00Z --until 2026-11-23T09:00:00Z)
none=$tmp/no-such-dir/podflow.db
printf 'not a database\n' >"$tmp/text.db"
"$POLICYGEN" generate --db "$db" "${window[@]}" -A >"$tmp/policies.yaml" 2>/dev/null

status() { # NAME STATUS COMMAND...
	local name=$1 want=$2
	shift 2
	t_case "$name: $want"
	t_run "$want" "$@"
}

# 0
for cmd in info workloads flows; do
	status "$cmd" 0 "$POLICYGEN" "$cmd" --db "$db"
done
status "generate" 0 "$POLICYGEN" generate --db "$db" "${window[@]}"
status "check, nothing denied" 0 "$POLICYGEN" check --db "$db" "${window[@]}" -f "$tmp/policies.yaml"
status "review list" 0 "$POLICYGEN" review list --db "$db" "${window[@]}"
status "import" 0 "$POLICYGEN" import --db "$tmp/import.db" "$FIXTURES/cluster.yaml"

# 1
status "check, something denied" 1 "$POLICYGEN" check --db "$db" "${window[@]}" -f "$FIXTURES/javaapp-deny-ingress.yaml"
t_pod_item Bad_Pod 55555555-0000-4000-8000-000000000001 10.244.5.1 2026-11-23T08:00:00Z x-6b6b6b6b6 6b6b6b6b6 |
	t_list >"$tmp/partial.yaml"
status "import, an object refused" 1 "$POLICYGEN" import --db "$tmp/import.db" "$tmp/partial.yaml"
cp "$db" "$tmp/old.db"
sqlite3 "$tmp/old.db" "UPDATE pod SET name = 'Bad_Pod', workload_kind = 'Pod', workload_name = 'Bad_Pod' WHERE name LIKE 'worker-%'"
status "generate, a workload left out" 1 "$POLICYGEN" generate --db "$tmp/old.db" "${window[@]}"
status "review clear, no such decision" 1 "$POLICYGEN" review clear --db "$db" example-java-app/javaapp egress 203.0.113.80

# 2
for cmd in info workloads flows generate check import review; do
	status "$cmd --nosuch" 2 "$POLICYGEN" "$cmd" --nosuch
done
status "an unknown command" 2 "$POLICYGEN" nosuch
status "generate --workload nosuch" 2 "$POLICYGEN" generate --db "$db" --workload nosuch
status "generate --dns-ip nonsense" 2 "$POLICYGEN" generate --db "$db" --dns-ip nonsense
status "check, a malformed --flow" 2 "$POLICYGEN" check --db "$db" -f "$tmp/policies.yaml" --flow 'nonsense'
status "check, no NetworkPolicy among the inputs" 1 "$POLICYGEN" check --db "$db" -f "$FIXTURES/cluster.yaml"
status "flows, a namespace the inventory does not know" 1 "$POLICYGEN" flows --db "$db" -n nosuch
status "workloads, none in the namespaces covered" 1 "$POLICYGEN" workloads --db "$db" --system-namespace example-java-app
printf 'items: [1\n' >"$tmp/bad.yaml"
status "import, malformed YAML" 2 "$POLICYGEN" import --db "$tmp/import.db" "$tmp/bad.yaml"
status "review accept, an unknown workload" 2 "$POLICYGEN" review accept --db "$db" example-java-app/nosuch ingress 10.0.0.1/32

# 3
for cmd in info workloads flows generate; do
	status "$cmd, no database" 3 "$POLICYGEN" "$cmd" --db "$none"
	status "$cmd, not a database" 3 "$POLICYGEN" "$cmd" --db "$tmp/text.db"
done
status "check, no database" 3 "$POLICYGEN" check --db "$none" -f "$tmp/policies.yaml"
status "import, no database" 3 "$POLICYGEN" import --db "$none" "$FIXTURES/cluster.yaml"
status "review list, no database" 3 "$POLICYGEN" review list --db "$none"
status "generate, output not writable" 3 "$POLICYGEN" generate --db "$db" "${window[@]}" --output-dir "$tmp/no-such-dir/out"

t_done
