#!/bin/bash
# Every sqlite3 query in README.md runs against a real database and returns
# rows: the cookbook must not rot as the schema moves.
. "$(dirname "$0")/../lib.sh"

t_tmpdir readme
db=$tmp/podflow.db

# The example-java-app scenario, whose names and addresses the README's
# queries use (the demo's too, which runs them on its own database).
t_javaapp_db "$db"
sqlite3 "$db" "INSERT INTO collector_counter (name, value, updated)
VALUES ('connections', 8, 62), ('enobufs', 0, 62);"

# The README's queries: the text between the quotes after each
# "sqlite3 -readonly ... podflow.db \" line, with the path replaced.
n=0
while IFS= read -r -d $'\x1e' q; do
	n=$((n + 1))
	t_case "README query $n"
	t_run 0 sqlite3 -readonly -bail "$db" "$q"
	t_check "no rows: $t_err" [ -n "$t_out" ]
done < <(awk -f "$(dirname "$0")/../tools/readme-queries.awk" "$(dirname "$0")/../../README.md")

[ "$n" -ge 6 ] || t_fail "README queries found" "only $n"
t_done
