#!/bin/sh
# Runs the cmocka test programs given as arguments and adds up their
# summaries.  Exits non-zero if any test failed or any program crashed.
passed=0
failed=0
status=0
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ]; then
		status=1
		[ -n "$f" ] || { echo "$t: exited with status $rc"; failed=$((failed + 1)); }
	fi
done
echo "unit: $passed passed, $failed failed"
exit $status
