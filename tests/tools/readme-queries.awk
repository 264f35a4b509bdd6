# The sqlite3 queries of README.md's cookbook, each ended by a 0x1e byte:
# the text between the quotes after each "sqlite3 -readonly ... podflow.db \"
# line.  For the tests and the demo, which run them all on real data.
/sqlite3 -readonly .*podflow\.db \\$/ { grab = 1; q = ""; next }
grab {
	line = $0
	sub(/^[ \t]+/, "", line)
	q = q " " line
	if (q ~ /".*"/) {
		sub(/^[^"]*"/, "", q); sub(/"[^"]*$/, "", q)
		printf "%s\036", q
		grab = 0
	}
}
