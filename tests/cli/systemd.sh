#!/bin/bash
# What `make install` puts on a node for systemd: the files and their
# modes, an operator's configuration kept on reinstall, the units clean by
# `systemd-analyze verify`, podflowd.service's exposure by `systemd-analyze
# security` at most MAX_EXPOSURE, the sysusers.d file, and man pages that
# render without a warning.
. "$(dirname "$0")/../lib.sh"

# podflowd.service's promise; systemd-networkd's own unit rates 2.8.
MAX_EXPOSURE=2.0

if ! command -v systemd-analyze >/dev/null; then
	echo "ok systemd units # SKIP systemd-analyze not installed"
	exit 0
fi

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$BUILD" && pwd)
tmp=$(mktemp -d /tmp/podflow-systemd.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
units="podflowd.service podflow-inventory.service podflow-inventory.timer
podflow-inventory-watch.service"
unitdir=$root/usr/local/lib/systemd/system

# make_install: make install into $root.  The binaries under test are the ones
# built: -o all keeps make from building them again (with other flags), and
# the outer make's flags and variables stay out.
make_install() {
	MAKEFLAGS= MAKELEVEL= make -s -C "$top" -o all install \
		DESTDIR="$root" BUILD="$build" PREFIX=/usr/local SYSCONFDIR=/etc
}

if ! t_expect "make install" 0 make_install; then
	exit 1
fi
t_ok "make install"

# mode NAME WANT PATH
mode() {
	local got
	got=$(stat -c %a "$3" 2>/dev/null) || { t_fail "$1" "$3 missing"; return; }
	[ "$got" = "$2" ] && t_ok "$1" || t_fail "$1" "$3: mode $got, want $2"
}
mode "podflowd installed" 755 "$root/usr/local/sbin/podflowd"
mode "policygen installed" 755 "$root/usr/local/bin/policygen"
for u in $units; do
	mode "$u installed" 644 "$unitdir/$u"
done
mode "sysusers.d file installed" 644 "$root/usr/local/lib/sysusers.d/podflow.conf"
mode "podflowd(8) installed" 644 "$root/usr/local/share/man/man8/podflowd.8"
mode "policygen(1) installed" 644 "$root/usr/local/share/man/man1/policygen.1"
mode "podflowd.yaml installed" 644 "$root/etc/podflow/podflowd.yaml"
mode "inventory.env installed" 644 "$root/etc/podflow/inventory.env"

if grep -qx 'ExecStart=/usr/local/sbin/podflowd --config /etc/podflow/podflowd.yaml' \
	"$unitdir/podflowd.service" &&
	grep -q '/usr/local/bin/policygen import --db' "$unitdir/podflow-inventory.service"; then
	t_ok "units name the installed binaries"
else
	t_fail "units name the installed binaries" "$(grep -h 'Exec\|policygen' "$unitdir"/*.service)"
fi

echo "pod_cidrs: [10.244.0.0/16]" >"$root/etc/podflow/podflowd.yaml"
echo "KUBECTL=/opt/kubectl" >"$root/etc/podflow/inventory.env"
if t_expect "make install again" 0 make_install; then
	if [ "$(cat "$root/etc/podflow/podflowd.yaml")" = "pod_cidrs: [10.244.0.0/16]" ] &&
		[ "$(cat "$root/etc/podflow/inventory.env")" = "KUBECTL=/opt/kubectl" ]; then
		t_ok "reinstall keeps the operator's configuration"
	else
		t_fail "reinstall keeps the operator's configuration" "overwritten"
	fi
fi

# verify loads the units the ones under test depend on (sysinit.target,
# ...) and checks every command exists, all under the root: the system's
# units and the commands the units run besides podflow's go there too.
for d in /usr/lib/systemd/system /lib/systemd/system; do
	[ -d "$d" ] && break
done
mkdir -p "$root/usr/lib/systemd" "$root/bin"
cp -R "$d" "$root/usr/lib/systemd/system" &&
	cp /bin/kill /bin/bash "$root/bin/" ||
	t_fail "verify set-up" "cannot copy $d, /bin/kill (procps), /bin/bash"
# shellcheck disable=SC2086
if t_expect "systemd-analyze verify" 0 \
	systemd-analyze verify --man=no --generators=no --root="$root" $units; then
	[ -z "$t_out$t_err" ] && t_ok "systemd-analyze verify" ||
		t_fail "systemd-analyze verify" "$t_out$t_err"
fi

# exposure UNIT: the overall exposure level, e.g. 1.1.
exposure() {
	systemd-analyze security --offline=true --root="$root" "$1" 2>/dev/null |
		sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p'
}
level=$(exposure podflowd.service)
if [ -z "$level" ]; then
	t_fail "podflowd.service exposure" "no figure from systemd-analyze security"
elif awk -v l="$level" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(l <= m) }'; then
	t_ok "podflowd.service exposure $level (at most $MAX_EXPOSURE)"
else
	t_fail "podflowd.service exposure" "$level, want at most $MAX_EXPOSURE"
fi
for u in podflow-inventory.service podflow-inventory-watch.service; do
	echo "# $u exposure $(exposure "$u")"
done

if t_expect "sysusers.d file" 0 systemd-sysusers --root="$root" --dry-run \
	"$root/usr/local/lib/sysusers.d/podflow.conf"; then
	[[ $t_err == *"Creating user 'podflow'"* ]] && t_ok "sysusers.d file" ||
		t_fail "sysusers.d file" "$t_err"
fi

for page in man8/podflowd.8 man1/policygen.1; do
	name=${page#*/}
	if t_expect "$name renders" 0 groff -man -Tutf8 -ww -z \
		"$root/usr/local/share/man/$page"; then
		[ -z "$t_out$t_err" ] && t_ok "$name renders without warnings" ||
			t_fail "$name renders" "$t_err"
	fi
done

t_done
