#!/bin/sh
# Runs shell test scripts.  Each prints "ok NAME" or "not ok NAME: WHY" per
# case (see tests/lib.sh); this adds them up.  A script that exits non-zero
# without reporting a failure counts as one failure.
passed=0
failed=0
for t in "$@"; do
	[ -f "$t" ] || continue
	echo "== $t"
	out=$(bash "$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok $t: exited with status $rc"
		failed=$((failed + 1))
	fi
done
echo "shell: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
