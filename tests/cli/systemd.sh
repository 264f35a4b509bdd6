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
t_tmpdir systemd
root=$tmp/root
units="podflowd.service podflow-inventory.service podflow-inventory.timer
podflow-inventory-watch.service podflow-ship.service"
unitdir=$root/usr/local/lib/systemd/system

# make_install: make install into $root.  The binaries under test are the ones
# built: -o all keeps make from building them again (with other flags), and
# the outer make's flags and variables stay out.
make_install() {
	MAKEFLAGS= MAKELEVEL= make -s -C "$top" -o all install \
		DESTDIR="$root" BUILD="$build" PREFIX=/usr/local SYSCONFDIR=/etc
}

t_case "make install"
t_run 0 make_install || exit 1

# mode NAME WANT PATH
mode() {
	t_case "$1"
	t_check "$3 missing" [ -e "$3" ]
	t_equal "$(stat -c %a "$3" 2>/dev/null)" "$2"
}
mode "podflowd installed" 755 "$root/usr/local/sbin/podflowd"
mode "policygen installed" 755 "$root/usr/local/bin/policygen"
for u in $units; do
	mode "$u installed" 644 "$unitdir/$u"
done
mode "sysusers.d file installed" 644 "$root/usr/local/lib/sysusers.d/podflow.conf"
mode "the cluster store's roles installed" 644 "$root/usr/local/share/podflow/roles.sql"
mode "sysctl.d file installed" 644 "$root/usr/local/lib/sysctl.d/50-podflowd.conf"
mode "modules-load.d file installed" 644 "$root/usr/local/lib/modules-load.d/podflowd.conf"

t_case "the sysctl.d file turns on conntrack's start times, events and counts"
t_equal "$(grep -v '^#' "$root/usr/local/lib/sysctl.d/50-podflowd.conf" | grep . | tr -d ' ' | sort | tr '\n' ' ')" \
	"net.netfilter.nf_conntrack_acct=1 net.netfilter.nf_conntrack_events=1 net.netfilter.nf_conntrack_timestamp=1 "
# Where conntrack is loaded, each is a setting the kernel has.
if [ -d /proc/sys/net/netfilter ]; then
	for key in $(sed -n 's/^\(net[^ =]*\).*/\1/p' "$root/usr/local/lib/sysctl.d/50-podflowd.conf"); do
		t_case "sysctl $key exists"
		t_check "no /proc/sys/${key//.//}" [ -e "/proc/sys/${key//.//}" ]
	done
fi
mode "podflowd(8) installed" 644 "$root/usr/local/share/man/man8/podflowd.8"
mode "policygen(1) installed" 644 "$root/usr/local/share/man/man1/policygen.1"
mode "podflowd.yaml installed" 644 "$root/etc/podflow/podflowd.yaml"
mode "inventory.env installed" 644 "$root/etc/podflow/inventory.env"
mode "ship.env installed" 644 "$root/etc/podflow/ship.env"

t_case "units name the installed binaries"
execs=$(grep -h 'Exec\|policygen' "$unitdir"/*.service)
t_check "$execs" grep -qx 'ExecStart=/usr/local/sbin/podflowd --config /etc/podflow/podflowd.yaml' \
	"$unitdir/podflowd.service"
t_check "$execs" grep -q '/usr/local/bin/policygen import --db' "$unitdir/podflow-inventory.service"

t_case "reinstall keeps the operator's configuration"
echo "pod_cidrs: [10.244.0.0/16]" >"$root/etc/podflow/podflowd.yaml"
echo "KUBECTL=/opt/kubectl" >"$root/etc/podflow/inventory.env"
t_run 0 make_install
t_equal "$(cat "$root/etc/podflow/podflowd.yaml")" "pod_cidrs: [10.244.0.0/16]"
t_equal "$(cat "$root/etc/podflow/inventory.env")" "KUBECTL=/opt/kubectl"

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
t_case "systemd-analyze verify"
# shellcheck disable=SC2086
t_run 0 systemd-analyze verify --man=no --generators=no --root="$root" $units
t_equal "$t_out$t_err" ""

# exposure UNIT: the overall exposure level, e.g. 1.1.
exposure() {
	systemd-analyze security --offline=true --root="$root" "$1" 2>/dev/null |
		sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p'
}
t_case "podflowd.service exposure"
level=$(exposure podflowd.service)
t_check "no figure from systemd-analyze security" [ -n "$level" ]
t_check "$level, want at most $MAX_EXPOSURE" awk -v l="$level" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(l <= m) }'
t_note "$level (at most $MAX_EXPOSURE)"
t_end
for u in podflow-inventory.service podflow-inventory-watch.service; do
	echo "# $u exposure $(exposure "$u")"
done
# The shipper holds the cluster store's credentials on every node: no
# more exposed than podflowd.
t_case "podflow-ship.service exposure"
level=$(exposure podflow-ship.service)
t_check "no figure from systemd-analyze security" [ -n "$level" ]
t_check "$level, want at most $MAX_EXPOSURE" awk -v l="$level" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(l <= m) }'
t_note "$level (at most $MAX_EXPOSURE)"
t_end

t_case "sysusers.d file"
t_run 0 systemd-sysusers --root="$root" --dry-run "$root/usr/local/lib/sysusers.d/podflow.conf"
t_match "$t_err" "*Creating user 'podflow'*"

for page in man8/podflowd.8 man1/policygen.1; do
	t_case "${page#*/} renders without warnings"
	t_run 0 groff -man -Tutf8 -ww -z "$root/usr/local/share/man/$page"
	t_equal "$t_out$t_err" ""
done

t_done
