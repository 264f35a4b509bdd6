#!/bin/bash
# The programs' handling of databases from the command line: the path
# precedence, and a clear one-line error, a non-zero exit and an untouched
# file for every database they must refuse.
. "$(dirname "$0")/../lib.sh"

t_tmpdir cli

# --db creates and migrates; info reads it back.
t_case "policygen info on a new database"
t_run 0 "$PFMKDB" "$tmp/a.db"
t_run 0 "$POLICYGEN" info --db "$tmp/a.db"
t_match "$t_out" "*schema:*edges:          0 distinct*"
t_match "$t_out" "*flushes:        0 (the change sequence a shipper follows)*"
t_case "policygen info on a schema older than the change sequence"
cp "$(dirname "$0")/../fixtures/db/v11.db" "$tmp/v11.db"
t_run 0 "$POLICYGEN" info --db "$tmp/v11.db"
t_match "$t_out" "*schema:         11 *"
t_nomatch "$t_out" "*flushes:*"
t_run 0 "$POLICYGEN" info --db "$tmp/v11.db" -o json
t_match "$t_out" '*"changeSeq": -1*'

# PODFLOW_DB is used when --db is absent, and --db wins over it.
t_case "PODFLOW_DB is honoured"
t_run 0 env PODFLOW_DB="$tmp/a.db" "$POLICYGEN" info
t_match "$t_out" "*database:       $tmp/a.db*"
t_case "--db wins over PODFLOW_DB"
t_run 3 env PODFLOW_DB="$tmp/a.db" "$POLICYGEN" info --db "$tmp/none.db"
t_match "$t_err" "*$tmp/none.db*"

# refuse NAME STATUS WANT FILE PROGRAM...: the program must exit STATUS with
# one line on stderr that names FILE and contains WANT, leaving FILE as it was.
refuse() {
	local name=$1 status=$2 want=$3 file=$4
	shift 4
	local before
	before=$(md5sum <"$file")
	t_case "$name"
	t_run "$status" "$@"
	t_check "want one line, got: $t_err" [ "$(printf '%s\n' "$t_err" | wc -l)" -eq 1 ]
	t_match "$t_err" "*$file*"
	t_match "$t_err" "*$want*"
	t_check "the file changed" [ "$(md5sum <"$file")" = "$before" ]
}

printf 'kind: List\napiVersion: v1\nitems: []\n%0200d\n' 0 >"$tmp/text.db"
refuse "policygen refuses a text file" 3 "not an SQLite database" "$tmp/text.db" \
	"$POLICYGEN" info --db "$tmp/text.db"
refuse "podflowd refuses a text file" 1 "not an SQLite database" "$tmp/text.db" \
	"$PODFLOWD" --config /dev/null --pod-cidr 10.244.0.0/16 --db "$tmp/text.db"

sqlite3 "$tmp/other.db" 'CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES (1);'
refuse "podflowd refuses another application's database" 1 "not a podflow database" \
	"$tmp/other.db" "$PODFLOWD" --config /dev/null --pod-cidr 10.244.0.0/16 --db "$tmp/other.db"

cp "$tmp/a.db" "$tmp/newer.db"
sqlite3 "$tmp/newer.db" 'PRAGMA user_version = 999; PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
refuse "podflowd refuses a newer schema" 1 "newer than this podflow" "$tmp/newer.db" \
	"$PODFLOWD" --config /dev/null --pod-cidr 10.244.0.0/16 --db "$tmp/newer.db"
refuse "policygen refuses a newer schema" 3 "newer than this podflow" "$tmp/newer.db" \
	"$POLICYGEN" info --db "$tmp/newer.db"

t_case "podflowd refuses a path in a missing directory"
t_run 1 "$PODFLOWD" --config /dev/null --pod-cidr 10.244.0.0/16 --db "$tmp/missing/a.db"
t_match "$t_err" "*$tmp/missing/a.db: cannot open database: No such file or directory*"

# One read boundary: policygen reads and writes the database only through
# the store's functions (store_read.h), which own their SQL and its column
# order, so that another database can sit behind them.  No SQLite, no
# store_db() and no embedded query (sql.h's sql_NAME) in policygen/.
root=$(cd "$(dirname "$0")/../.." && pwd)
t_case "policygen/ runs no SQL of its own"
t_run 1 grep -rnE 'sqlite3|SQLITE_|store_db *\(|\<sql_[A-Za-z0-9_]|"sql\.h"' \
	"$root/policygen"

t_case "unknown command"
t_run 2 "$POLICYGEN" frobnicate
t_equal "$t_err" "policygen: unknown command 'frobnicate'; policygen --help lists them"
t_case "a mistyped command: the one meant"
t_run 2 "$POLICYGEN" genrate --db x
t_equal "$t_err" "policygen: unknown command 'genrate'; did you mean 'generate'?"
t_run 2 "$POLICYGEN" workload
t_equal "$t_err" "policygen: unknown command 'workload'; did you mean 'workloads'?"
t_case "policygen --version"
t_run 0 "$POLICYGEN" --version
t_match "$t_out" "policygen [0-9]*"

t_done
