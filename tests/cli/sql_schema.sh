#!/bin/bash
# sql/: sql/schema.sql is today's schema, the same as the migrations give
# and as store_open() creates; embed.sh refuses what would embed wrongly
# (two queries of one name, a gap in the migration numbers).
. "$(dirname "$0")/../lib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
t_tmpdir sql-schema

# same NAME GOT WANT WHY: GOT and WANT are equal files, else the first
# lines of their difference follow the failure.
same() {
	if cmp -s "$2" "$3"; then
		t_ok "$1"
	else
		t_fail "$1" "$4"
		diff -u "$3" "$2" | head -n 20 | sed 's/^/#   /'
	fi
}

# --- sql/schema.sql ------------------------------------------------------
t_expect "schema.sh applies the migrations" 0 \
	sh "$root/sql/schema.sh" "$tmp/migrated.sql" &&
	t_ok "schema.sh applies the migrations"
same "sql/schema.sql is what the migrations give" "$tmp/migrated.sql" \
	"$root/sql/schema.sql" "sql/schema.sql is out of date: run make schema"

printf 'apiVersion: v1\nkind: List\nitems: []\n' >"$tmp/empty.yaml"
t_expect "store_open() creates a database" 0 "$POLICYGEN" import \
	--db "$tmp/store.db" "$tmp/empty.yaml" &&
	t_expect "schema.sh reads a database" 0 \
		sh "$root/sql/schema.sh" --db "$tmp/store.db" "$tmp/store.sql" &&
	same "sql/schema.sql is what store_open() creates" "$tmp/store.sql" \
		"$root/sql/schema.sql" \
		"store_open() creates another schema than sql/schema.sql"
t_expect "schema.sh prints the views of the migrations" 0 \
	sh "$root/sql/schema.sh" --views "$tmp/views.sql" &&
	t_expect "schema.sh prints the views of a database" 0 \
		sh "$root/sql/schema.sh" --db "$tmp/store.db" --views \
		"$tmp/store-views.sql" &&
	same "store_open() makes the views of sql/views.sql" \
		"$tmp/store-views.sql" "$tmp/views.sql" \
		"store_open() makes other views than sql/views.sql"

# A database that store_open() migrated to the latest version keeps its
# views until the next migration: a change to a view (or to a shipped
# migration) without a new migration would leave it another schema.
latest=$(ls "$root"/sql/migrations/[0-9][0-9][0-9]_*.sql | wc -l)
fixture=$root/tests/fixtures/db/v$latest.db
if [ -f "$fixture" ]; then
	t_expect "schema.sh reads the latest version's database" 0 \
		sh "$root/sql/schema.sh" --db "$fixture" "$tmp/fixture.sql" &&
		sh "$root/sql/schema.sh" --db "$fixture" --views \
			"$tmp/fixture-views.sql" &&
		cat "$tmp/fixture-views.sql" >>"$tmp/fixture.sql" &&
		cat "$root/sql/schema.sql" "$tmp/views.sql" >"$tmp/today.sql" &&
		same "the latest version's database has today's schema" \
			"$tmp/fixture.sql" "$tmp/today.sql" \
			"sql/ changed the schema of version $latest: add a migration"
else
	t_fail "the latest version's database has today's schema" \
		"tests/fixtures/db/v$latest.db is missing: make db-fixture"
fi

case $(head -n 1 "$root/sql/schema.sql") in
*GENERATED*"do not edit"*) t_ok "sql/schema.sql says it is generated" ;;
*) t_fail "sql/schema.sql says it is generated" "its first line does not" ;;
esac

# --- embed.sh --------------------------------------------------------------
mkdir -p "$tmp/sql/migrations" "$tmp/sql/queries/a" "$tmp/sql/queries/b" \
	"$tmp/gen"
echo "CREATE TABLE t (x);" >"$tmp/sql/migrations/001_one.sql"
echo "CREATE TABLE u (x);" >"$tmp/sql/migrations/002_two.sql"
echo "SELECT 1;" >"$tmp/sql/queries/a/same.sql"
echo "SELECT 2;" >"$tmp/sql/queries/b/same.sql"
echo "SELECT 3;" >"$tmp/sql/queries/b/other.sql"

t_expect "embed.sh embeds queries by name, migrations in order" 0 \
	sh "$root/sql/embed.sh" "$tmp/gen" "$tmp/sql/queries/b/other.sql" \
	"$tmp/sql/migrations/002_two.sql" "$tmp/sql/migrations/001_one.sql" &&
	if grep -q '^const char sql_other\[\] =$' "$tmp/gen/sql.c" &&
		grep -q '^const int sql_migrations_count = 2;$' "$tmp/gen/sql.c" &&
		[ "$(grep -o '[0-9]*_[a-z]*\.sql' "$tmp/gen/sql.c" | tr '\n' ' ')" = \
			"001_one.sql 002_two.sql " ]; then
		t_ok "embed.sh embeds queries by name, migrations in order"
	else
		t_fail "embed.sh embeds queries by name, migrations in order" \
			"$(grep -e sql_ -e '\.sql' "$tmp/gen/sql.c" | tr '\n' ' ')"
	fi

rm -f "$tmp/gen/sql.c" "$tmp/gen/sql.h"
t_expect "embed.sh refuses two queries of one name" 1 \
	sh "$root/sql/embed.sh" "$tmp/gen" "$tmp/sql/queries/a/same.sql" \
	"$tmp/sql/queries/b/same.sql" &&
	case $t_err in
	*"queries/a/same.sql and "*"queries/b/same.sql both define sql_same"*)
		if [ -e "$tmp/gen/sql.c" ] || [ -e "$tmp/gen/sql.h" ]; then
			t_fail "embed.sh refuses two queries of one name" \
				"it wrote sql.c or sql.h"
		else
			t_ok "embed.sh refuses two queries of one name"
		fi ;;
	*) t_fail "embed.sh refuses two queries of one name" "$t_err" ;;
	esac

echo "CREATE TABLE w (x);" >"$tmp/sql/migrations/004_four.sql"
t_expect "embed.sh refuses a gap in the migration numbers" 1 \
	sh "$root/sql/embed.sh" "$tmp/gen" "$tmp/sql/migrations/001_one.sql" \
	"$tmp/sql/migrations/002_two.sql" "$tmp/sql/migrations/004_four.sql" &&
	case $t_err in
	*"004_four.sql: expected migration number 3"*)
		t_ok "embed.sh refuses a gap in the migration numbers" ;;
	*) t_fail "embed.sh refuses a gap in the migration numbers" "$t_err" ;;
	esac

t_done
