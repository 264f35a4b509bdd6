#!/bin/bash
# The programs' handling of databases from the command line: the path
# precedence, and a clear one-line error, a non-zero exit and an untouched
# file for every database they must refuse.
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d /tmp/podflow-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# --db creates and migrates; info reads it back.
if t_expect "creating a database" 0 "$PFMKDB" "$tmp/a.db" &&
   t_expect "policygen info reads it" 0 "$POLICYGEN" info --db "$tmp/a.db"; then
	case $t_out in
	*"schema:"*"edges:          0 distinct"*) t_ok "policygen info on a new database" ;;
	*) t_fail "policygen info on a new database" "unexpected output: $t_out" ;;
	esac
fi

# PODFLOW_DB is used when --db is absent, and --db wins over it.
if t_expect "PODFLOW_DB is honoured" 0 env PODFLOW_DB="$tmp/a.db" "$POLICYGEN" info; then
	case $t_out in
	*"database:       $tmp/a.db"*) t_ok "PODFLOW_DB is honoured" ;;
	*) t_fail "PODFLOW_DB is honoured" "$t_out" ;;
	esac
fi
t_expect "--db wins over PODFLOW_DB" 2 env PODFLOW_DB="$tmp/a.db" "$POLICYGEN" info --db "$tmp/none.db" &&
	case $t_err in
	*"$tmp/none.db"*) t_ok "--db wins over PODFLOW_DB" ;;
	*) t_fail "--db wins over PODFLOW_DB" "$t_err" ;;
	esac

# refuse NAME STATUS WANT FILE PROGRAM...: the program must exit STATUS with
# one line on stderr that names FILE and contains WANT, leaving FILE as it was.
refuse() {
	local name=$1 status=$2 want=$3 file=$4
	shift 4
	local before after
	before=$(md5sum <"$file")
	t_expect "$name" "$status" "$@" || return
	after=$(md5sum <"$file")
	if [ "$(printf '%s\n' "$t_err" | wc -l)" -ne 1 ]; then
		t_fail "$name" "want one line, got: $t_err"
	elif [[ $t_err != *"$file"* || $t_err != *"$want"* ]]; then
		t_fail "$name" "message lacks '$file' or '$want': $t_err"
	elif [ "$before" != "$after" ]; then
		t_fail "$name" "the file changed"
	else
		t_ok "$name"
	fi
}

printf 'kind: List\napiVersion: v1\nitems: []\n%0200d\n' 0 >"$tmp/text.db"
refuse "policygen refuses a text file" 2 "not an SQLite database" "$tmp/text.db" \
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
refuse "policygen refuses a newer schema" 2 "newer than this podflow" "$tmp/newer.db" \
	"$POLICYGEN" info --db "$tmp/newer.db"

t_expect "podflowd refuses a path in a missing directory" 1 \
	"$PODFLOWD" --config /dev/null --pod-cidr 10.244.0.0/16 --db "$tmp/missing/a.db" &&
	case $t_err in
	*"$tmp/missing/a.db: cannot open database: No such file or directory"*) t_ok "podflowd refuses a path in a missing directory" ;;
	*) t_fail "podflowd refuses a path in a missing directory" "$t_err" ;;
	esac

t_expect "unknown command" 2 "$POLICYGEN" frobnicate && t_ok "unknown command"
t_expect "policygen --version" 0 "$POLICYGEN" --version &&
	case $t_out in "policygen "[0-9]*) t_ok "policygen --version" ;; *) t_fail "policygen --version" "$t_out" ;; esac

t_done
