#!/bin/bash
# A database read where SQLite cannot make its -shm file: on a read-only
# mount it is read as immutable (nobody can write it, and with no -wal file
# every page is in the main file); in a directory the reader may not write,
# the message says what stands in the way.  Needs root (mount, setpriv).
. "$(dirname "$0")/../lib.sh"

t_tmpdir readonly
mkdir "$tmp/src" "$tmp/ro"
t_javaapp_db "$tmp/src/podflow.db"
trap 'umount "$tmp/ro" 2>/dev/null; rm -rf "$tmp"' EXIT
t_case "a read-only bind mount"
if ! mount --bind "$tmp/src" "$tmp/ro" || ! mount -o remount,bind,ro "$tmp/ro"; then
	t_bad "mount failed: this test needs root"
fi
t_check "the -shm file is absent" [ ! -e "$tmp/ro/podflow.db-shm" ]
t_case "policygen reads a database on a read-only mount"
t_run 0 "$POLICYGEN" flows --db "$tmp/ro/podflow.db"
t_match "$t_out" "*example-java-app/Deployment/jclient*"
t_case "...and generate too"
t_run 0 "$POLICYGEN" generate --db "$tmp/ro/podflow.db" --since 2026-11-23T07:00:00Z --until 2026-11-23T09:00:00Z
t_case "a writer there is refused with the reason"
t_run 3 "$POLICYGEN" import --db "$tmp/ro/podflow.db" "$FIXTURES/cluster.yaml"

t_case "a directory the reader may not write"
chmod 755 "$tmp" "$tmp/src"
chmod 644 "$tmp/src/podflow.db"
t_run 3 setpriv --reuid=65534 --regid=65534 --clear-groups "$POLICYGEN" info --db "$tmp/src/podflow.db"
t_match "$t_err" "*cannot read: SQLite needs $tmp/src/podflow.db-shm beside a WAL database and cannot make it in $tmp/src (Permission denied)*"

t_done
