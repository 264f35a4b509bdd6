#!/bin/sh
# Runs each libFuzzer harness for SECONDS from its seed corpus
# (tests/fuzz/corpus/NAME, read only: what a run finds goes to a scratch
# directory), and fails on the first crash, leak, hang or sanitizer
# finding, naming the input that caused it.
#
#   sh tests/fuzz/run.sh DIR SECONDS NAME...   DIR holds the harnesses
set -u
dir=$1 seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d /tmp/podflow-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
status=0
for name in "$@"; do
	mkdir -p "$scratch/$name/found" "$scratch/$name/artifacts"
	printf 'fuzz %s, %s s: ' "$name" "$seconds"
	if "$dir/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$scratch/$name/artifacts/" -print_final_stats=1 \
		"$scratch/$name/found" "$here/corpus/$name" >"$scratch/$name/log" 2>&1; then
		sed -n 's/^stat::number_of_executed_units: *\([0-9]*\)/\1 runs, no finding/p' \
			"$scratch/$name/log"
	else
		echo "FAILED"
		tail -40 "$scratch/$name/log"
		for f in "$scratch/$name/artifacts/"*; do
			[ -f "$f" ] || continue
			echo "input ($f), base64:"
			base64 "$f" | head -20
		done
		status=1
	fi
done
exit $status
