#!/bin/bash
# podflowd's command line and configuration file: --check-config, errors
# that name the file, line and key, flags over the file, and the clear
# refusal without CAP_NET_ADMIN.
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d /tmp/podflow-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

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
stats_interval_seconds: 60
metrics_file: /tmp/podflowd.prom
metrics_interval_seconds: 5
YAML
if t_expect "--check-config reads every key" 0 "$PODFLOWD" --config "$tmp/good.yaml" --check-config; then
	want="db: /tmp/elsewhere.db
pod_cidrs: 10.244.0.0/16 fd00:10:244::/48
flush_interval_ms: 500
netlink_buffer_bytes: 16777216
time_bucket_seconds: 30
retention_days: 7
stats_interval_seconds: 60
metrics_file: /tmp/podflowd.prom
metrics_interval_seconds: 5"
	[ "$t_out" = "$want" ] && t_ok "--check-config reads every key" ||
		t_fail "--check-config reads every key" "got: $t_out"
fi

if t_expect "flags override the file" 0 "$PODFLOWD" --config "$tmp/good.yaml" --check-config \
	--db "$tmp/x.db" --pod-cidr 10.1.0.0/16 --flush-interval 250; then
	case $t_out in
	*"db: $tmp/x.db"*"pod_cidrs: 10.1.0.0/16"$'\n'"flush_interval_ms: 250"*) t_ok "flags override the file" ;;
	*) t_fail "flags override the file" "$t_out" ;;
	esac
fi

# bad NAME WANT YAML: the file must be refused (exit 2) with WANT in one line.
bad() {
	printf '%s\n' "$3" >"$tmp/bad.yaml"
	t_expect "$1" 2 "$PODFLOWD" --config "$tmp/bad.yaml" --check-config || return
	if [ "$(printf '%s\n' "$t_err" | wc -l)" -ne 1 ]; then
		t_fail "$1" "want one line, got: $t_err"
	elif [[ $t_err != *"$tmp/bad.yaml:"*"$2"* ]]; then
		t_fail "$1" "want '$tmp/bad.yaml:...$2', got: $t_err"
	else
		t_ok "$1"
	fi
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
bad "missing value" "2: db: missing value" \
	"pod_cidrs: [10.244.0.0/16]
db:"

printf 'retention_days: 3\n' >"$tmp/nocidr.yaml"
t_expect "no pod CIDRs is an error" 2 "$PODFLOWD" --config "$tmp/nocidr.yaml" --check-config &&
	case $t_err in *"no pod CIDRs"*) t_ok "no pod CIDRs is an error" ;; *) t_fail "no pod CIDRs is an error" "$t_err" ;; esac

t_expect "a missing --config is an error" 2 "$PODFLOWD" --config "$tmp/none.yaml" --check-config &&
	case $t_err in *"$tmp/none.yaml: No such file or directory"*) t_ok "a missing --config is an error" ;;
	*) t_fail "a missing --config is an error" "$t_err" ;; esac

t_expect "bad --pod-cidr" 2 "$PODFLOWD" --config /dev/null --pod-cidr 10.0.0.1/8 --check-config &&
	case $t_err in *"--pod-cidr: '10.0.0.1/8' has host bits set"*) t_ok "bad --pod-cidr" ;;
	*) t_fail "bad --pod-cidr" "$t_err" ;; esac

t_expect "bad --flush-interval" 2 "$PODFLOWD" --config /dev/null --pod-cidr 10.0.0.0/8 --flush-interval 0 &&
	t_ok "bad --flush-interval"

# Without CAP_NET_ADMIN: a clear message and exit 1.
chmod 0777 "$tmp"
if [ "$(id -u)" -eq 0 ]; then
	drop=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
else
	drop=()
fi
t_expect "without CAP_NET_ADMIN" 1 "${drop[@]}" "$PODFLOWD" --config /dev/null \
	--pod-cidr 10.244.0.0/16 --db "$tmp/nocap.db" &&
	case $t_err in *"needs CAP_NET_ADMIN"*) t_ok "without CAP_NET_ADMIN" ;;
	*) t_fail "without CAP_NET_ADMIN" "$t_err" ;; esac

# The shipped configuration parses, and asks for the pod CIDRs.
shipped=$(dirname "$0")/../../collector/podflowd.yaml
t_expect "the shipped configuration needs pod CIDRs" 2 "$PODFLOWD" --config "$shipped" --check-config &&
	case $t_err in *"no pod CIDRs"*) t_ok "the shipped configuration needs pod CIDRs" ;;
	*) t_fail "the shipped configuration needs pod CIDRs" "$t_err" ;; esac
t_expect "the shipped configuration is valid" 0 "$PODFLOWD" --config "$shipped" \
	--pod-cidr 10.244.0.0/16 --check-config && t_ok "the shipped configuration is valid"

t_done
