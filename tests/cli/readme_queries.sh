#!/bin/bash
# Every sqlite3 query in README.md runs against a real database and returns
# rows: the cookbook must not rot as the schema moves.
. "$(dirname "$0")/../lib.sh"

t_tmpdir readme
db=$tmp/podflow.db

"$POLICYGEN" import --db "$db" --at 2026-11-23T09:00:00Z \
	"$FIXTURES/cluster.yaml" >/dev/null 2>&1 || exit 1
t=$(date -u -d 2026-11-23T08:00:00Z +%s)
sqlite3 "$db" "
INSERT INTO edge (bucket, client_ip, server_ip, server_port, protocol,
		  service_ip, service_port, first_seen, last_seen, connections)
VALUES (0, '10.244.1.5', '10.244.2.7', 8080, 6, '10.96.0.15', 80, 1, 2, 3),
       (60, '10.244.1.5', '10.244.2.7', 8080, 6, '10.96.0.15', 80, 61, 62, 4),
       (60, '10.244.1.5', '10.96.0.10', 53, 17, '', 0, 61, 62, 1),
       ($t, '10.244.1.5', '10.244.1.6', 5432, 6, '', 0, $t, $t, 2);
INSERT INTO collector_counter (name, value, updated)
VALUES ('connections', 8, 62), ('enobufs', 0, 62);"

# The README's queries: the text between the quotes after each
# "sqlite3 -readonly ... podflow.db \" line, with the path replaced.
n=0
while IFS= read -r -d $'\x1e' q; do
	n=$((n + 1))
	t_case "README query $n"
	t_run 0 sqlite3 -readonly -bail "$db" "$q"
	t_check "no rows: $t_err" [ -n "$t_out" ]
done < <(awk '
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
	}' "$(dirname "$0")/../../README.md")

[ "$n" -ge 6 ] || t_fail "README queries found" "only $n"
t_done
