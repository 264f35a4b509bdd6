#!/bin/bash
# podflowd's command line and configuration file: --check-config, errors
# that name the file, line and key, flags over the file, and the clear
# refusal without CAP_NET_ADMIN.
. "$(dirname "$0")/../lib.sh"

t_tmpdir cli

cat >"$tmp/good.yaml" <<'YAML'
# podflowd settings
db: /tmp/elsewhere.db
pod_cidrs:
  - 10.244.0.0/16
  - fd00:10:244::/48
flush_interval_ms: 500
netlink_buffer_bytes: 16M
time_bucket_seconds: 30
retention_days: 7
raw_retention_hours: 36
stats_interval_seconds: 60
metrics_file: /tmp/podflowd.prom
metrics_interval_seconds: 5
reliable_events: true
node_name: worker-1.example
YAML
t_case "--check-config reads every key"
t_run 0 "$PODFLOWD" --config "$tmp/good.yaml" --check-config
t_equal "$t_out" "db: /tmp/elsewhere.db
pod_cidrs: 10.244.0.0/16 fd00:10:244::/48
flush_interval_ms: 500
netlink_buffer_bytes: 16777216
time_bucket_seconds: 30
retention_days: 7
raw_retention_hours: 36
stats_interval_seconds: 60
metrics_file: /tmp/podflowd.prom
metrics_interval_seconds: 5
reliable_events: true
node_name: worker-1.example"

t_case "flags override the file"
t_run 0 "$PODFLOWD" --config "$tmp/good.yaml" --check-config \
	--db "$tmp/x.db" --pod-cidr 10.1.0.0/16 --flush-interval 250
t_match "$t_out" "*db: $tmp/x.db*pod_cidrs: 10.1.0.0/16"$'\n'"flush_interval_ms: 250*"

# bad NAME WANT YAML: the file must be refused (exit 2) with WANT in one line.
bad() {
	printf '%s\n' "$3" >"$tmp/bad.yaml"
	t_case "$1"
	t_run 2 "$PODFLOWD" --config "$tmp/bad.yaml" --check-config
	t_check "want one line, got: $t_err" [ "$(printf '%s\n' "$t_err" | wc -l)" -eq 1 ]
	t_match "$t_err" "*$tmp/bad.yaml:*$2*"
}
bad "unknown key names its line" "3: unknown key 'flush_interval'" \
	"pod_cidrs: [10.244.0.0/16]
stats_interval_seconds: 5
flush_interval: 100"
bad "bad number" "2: flush_interval_ms: 'fast' is not an integer from 10 to 60000" \
	"pod_cidrs: [10.244.0.0/16]
flush_interval_ms: fast"
bad "bad size" "netlink_buffer_bytes: '12X' is not a size" \
	"pod_cidrs: [10.244.0.0/16]
netlink_buffer_bytes: 12X"
bad "bad boolean" "2: reliable_events: 'yes' is not true or false" \
	"pod_cidrs: [10.244.0.0/16]
reliable_events: yes"
bad "bad CIDR" "4: pod_cidrs: '10.244.1.0/16' has host bits set" \
	"retention_days: 3
pod_cidrs:
  - 10.0.0.0/8
  - 10.244.1.0/16"
bad "YAML syntax error" "3: mapping values are not allowed" \
	"pod_cidrs: [10.244.0.0/16]
db: x
  - nonsense: [unclosed"
bad "not a mapping" "1: expected a mapping" "- 10.244.0.0/16"
bad "bad node name" "2: node_name: 'Worker_1' is not a node name (lower-case letters, digits, '-' and '.')" \
	"pod_cidrs: [10.244.0.0/16]
node_name: Worker_1"
bad "missing value" "2: db: missing value" \
	"pod_cidrs: [10.244.0.0/16]
db:"

printf 'retention_days: 3\n' >"$tmp/nocidr.yaml"
t_case "no pod CIDRs is an error"
t_run 2 "$PODFLOWD" --config "$tmp/nocidr.yaml" --check-config
t_match "$t_err" "*no pod CIDRs*"

t_case "a missing --config is an error"
t_run 2 "$PODFLOWD" --config "$tmp/none.yaml" --check-config
t_match "$t_err" "*$tmp/none.yaml: No such file or directory*"

t_case "bad --pod-cidr"
t_run 2 "$PODFLOWD" --config /dev/null --pod-cidr 10.0.0.1/8 --check-config
t_match "$t_err" "*--pod-cidr: '10.0.0.1/8' has host bits set*"

t_case "bad --flush-interval"
t_run 2 "$PODFLOWD" --config /dev/null --pod-cidr 10.0.0.0/8 --flush-interval 0

# Without CAP_NET_ADMIN: a clear message and exit 1.
chmod 0777 "$tmp"
if [ "$(id -u)" -eq 0 ]; then
	drop=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
else
	drop=()
fi
t_case "without CAP_NET_ADMIN"
t_run 1 "${drop[@]}" "$PODFLOWD" --config /dev/null --pod-cidr 10.244.0.0/16 --db "$tmp/nocap.db"
t_match "$t_err" "*needs CAP_NET_ADMIN*"
t_case "without CAP_NET_ADMIN, no database is made"
t_check "$(ls "$tmp")" [ ! -e "$tmp/nocap.db" ]

# The shipped configuration parses, and asks for the pod CIDRs.
shipped=$(dirname "$0")/../../collector/podflowd.yaml
t_case "the shipped configuration needs pod CIDRs"
t_run 2 "$PODFLOWD" --config "$shipped" --check-config
t_match "$t_err" "*no pod CIDRs*"
t_case "the shipped configuration is valid"
t_run 0 "$PODFLOWD" --config "$shipped" --pod-cidr 10.244.0.0/16 --check-config

t_case "--node-name over the file; without either, the host name in lower case"
t_run 0 "$PODFLOWD" --config "$tmp/good.yaml" --node-name node-b --check-config
t_line "$t_out" '^node_name: node-b$'
t_run 0 "$PODFLOWD" --config /dev/null --pod-cidr 10.244.0.0/16 --check-config
t_line "$t_out" "^node_name: $(hostname | tr '[:upper:]' '[:lower:]')\$"
t_case "--node-name that is no node name"
t_run 2 "$PODFLOWD" --config /dev/null --pod-cidr 10.244.0.0/16 --node-name 'a b' --check-config
t_match "$t_err" "*--node-name: 'a b' is not a node name*"

# as_host NAME ARGS...: podflowd on a host of that name (its own UTS namespace).
as_host() {
	local name=$1
	shift
	unshare -u /usr/bin/python3 -c 'import os, socket, sys
socket.sethostname(sys.argv[1])
os.execv(sys.argv[2], sys.argv[2:])' "$name" "$PODFLOWD" "$@"
}
if unshare -u true 2>/dev/null; then
	t_case "a host name that is no node name: node_name is asked for"
	t_run 2 as_host My_Host --config /dev/null --pod-cidr 10.244.0.0/16 --check-config
	t_match "$t_err" "*the host name 'my_host' is no node name: set node_name (or --node-name)*"
	t_run 0 as_host My_Host --config /dev/null --pod-cidr 10.244.0.0/16 --node-name my-host --check-config
	t_line "$t_out" '^node_name: my-host$'
	t_case "the host name in lower case, as the kubelet names its node"
	t_run 0 as_host Worker-1.Example --config /dev/null --pod-cidr 10.244.0.0/16 --check-config
	t_line "$t_out" '^node_name: worker-1.example$'
fi

t_done
