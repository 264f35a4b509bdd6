# Sourced by the bench scripts: their set-up, medians, and commands timed
# into a list.

# bench_setup NAME RUNS: BUILD (the build measured, PODFLOW_BUILD or the
# tree's), RUNS, and tmp, a scratch directory removed at exit.
bench_setup() {
	BUILD=${PODFLOW_BUILD:-$here/../build}
	RUNS=$2
	tmp=$(mktemp -d "/tmp/podflow-bench-$1.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
}

# The median of the numbers on standard input, one per line.
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# timed NAME CMD...: runs CMD once, its output in $tmp/NAME.out and .err,
# and appends "NAME seconds peak-RSS-KiB" to $tmp/results (and prints it).
timed() {
	local name=$1
	shift
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >"$tmp/$name.out" \
		2>"$tmp/$name.err" || { cat "$tmp/$name.err"; exit 1; }
	read -r secs rss <"$tmp/time"
	echo "$name $secs $rss" | tee -a "$tmp/results"
}

# report NAME...: each NAME's median time and peak RSS, as a multiple of
# the median of $ref_name (and of $base_name's, when set).
report() {
	local ref base secs rss
	ref=$(awk -v n="$ref_name" '$1 == n { print $2 }' "$tmp/results" | median)
	[ -n "${base_name:-}" ] &&
		base=$(awk -v n="$base_name" '$1 == n { print $2 }' "$tmp/results" | median)
	for name in "$@"; do
		secs=$(awk -v n="$name" '$1 == n { print $2 }' "$tmp/results" | median)
		rss=$(awk -v n="$name" '$1 == n { print $3 }' "$tmp/results" | median)
		echo "median ($name): $secs s, peak RSS $rss KiB," \
			"$(awk -v s="$secs" -v r="$ref" 'BEGIN { printf "%.1f", (r > 0 ? s / r : 0) }')x $ref_name${base:+,} ${base:+$(awk -v s="$secs" -v r="$base" 'BEGIN { printf "%.1f", (r > 0 ? s / r : 0) }')x $base_name}"
	done
}
