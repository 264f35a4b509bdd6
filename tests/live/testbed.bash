# A Kubernetes-node-shaped testbed in network namespaces; source it.
#
# One "node" namespace routes between "pod" namespaces (Calico style: each
# pod has a /32 and /128 behind a veth, default route via 169.254.1.1 /
# fe80::1) and an "ext" namespace that stands in for the internet behind
# masquerade.  Conntrack is switched on in the node by an nft rule that
# also counts new connections: the kernel's own truth.  Every name carries
# a per-run id; tb_teardown (installed as an EXIT trap) removes it all.
#
# Traffic stays between these namespaces: pod addresses are in
# 10.244.0.0/16 and fd00:10:244::/48, Services in 10.96.0.0/16, "ext" in
# 203.0.113.0/24 (a documentation range).

TB_ID=$(printf '%04x%04x' $$ $((RANDOM % 65536)))
TB_PREFIX=pf$TB_ID
TB_NODE=$TB_PREFIX-node
TB_NAMESPACES=()
TB_PIDS=()
TB_TMP=$(mktemp -d /tmp/podflow-live.XXXXXX)
TB_TABLE=podflow_test
TB_POD_CIDR4=10.244.0.0/16
TB_POD_CIDR6=fd00:10:244::/48
TB_EXT_NODE=203.0.113.1
TB_EXT=203.0.113.2

tb_teardown() {
	local pid ns
	for pid in "${TB_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for ns in "${TB_NAMESPACES[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TB_TMP"
}

tb_ns_add() {
	ip netns add "$1" || return 1
	TB_NAMESPACES+=("$1")
	ip -n "$1" link set lo up
}

tb_in() { ip netns exec "$@"; }

# tb_need_root WHAT: exits the test, failed, unless it runs as root
# (network namespaces, CAP_NET_ADMIN).
tb_need_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	echo "not ok live $1 tests: need root"
	exit 1
}

# tb_node: the node namespace with routing and conntrack on.
tb_node() {
	tb_ns_add "$TB_NODE" || return 1
	ip -n "$TB_NODE" addr add 169.254.1.1/32 dev lo
	tb_in "$TB_NODE" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1
	tb_in "$TB_NODE" nft -f - <<-NFT || return 1
	table inet $TB_TABLE {
		chain forward {
			type filter hook forward priority 0; policy accept;
			ct state new counter
		}
	}
	NFT
}

# tb_pod NAME IPV4 [IPV6]: a pod namespace $TB_PREFIX-NAME.
tb_pod() {
	local name=$1 ip4=$2 ip6=${3:-} ns=$TB_PREFIX-$1 veth=v-$1
	tb_ns_add "$ns" || return 1
	ip -n "$TB_NODE" link add "$veth" type veth peer name eth0 netns "$ns" || return 1
	tb_in "$TB_NODE" sysctl -qw "net.ipv4.conf.$veth.proxy_arp=1"
	ip -n "$TB_NODE" link set "$veth" up
	ip -n "$TB_NODE" route add "$ip4/32" dev "$veth"
	ip -n "$ns" addr add "$ip4/32" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add 169.254.1.1 dev eth0
	ip -n "$ns" route add default via 169.254.1.1 dev eth0
	if [ -n "$ip6" ]; then
		ip -n "$TB_NODE" addr add fe80::1/64 dev "$veth" nodad
		ip -n "$TB_NODE" -6 route add "$ip6/128" dev "$veth"
		ip -n "$ns" addr add "$ip6/128" dev eth0 nodad
		ip -n "$ns" -6 route add default via fe80::1 dev eth0
	fi
}

# tb_wire NS PEER DEV PEER_ADDR NS_ADDR: a new namespace NS joined to the
# namespace PEER by a veth, DEV on PEER's side and eth0 in NS, each end
# up with its address in one /24.  Routes are the caller's.
tb_wire() {
	local ns=$1 peer=$2 dev=$3
	tb_ns_add "$ns" || return 1
	ip -n "$peer" link add "$dev" type veth peer name eth0 netns "$ns" || return 1
	ip -n "$peer" addr add "$4/24" dev "$dev"
	ip -n "$peer" link set "$dev" up
	ip -n "$ns" addr add "$5/24" dev eth0
	ip -n "$ns" link set eth0 up
}

# tb_nat_chain TABLE HOOK PRIORITY: the node's nat chain HOOK, at PRIORITY,
# in the table ip ${TB_TABLE}_TABLE; made unless it is there, so that rules
# can be added one at a time.
tb_nat_chain() {
	tb_in "$TB_NODE" nft list chain ip "${TB_TABLE}_$1" "$2" >/dev/null 2>&1 && return 0
	tb_in "$TB_NODE" nft -f - <<-NFT
	table ip ${TB_TABLE}_$1 {
		chain $2 {
			type nat hook $2 priority $3;
		}
	}
	NFT
}

# tb_masquerade DEV: the node masquerades what leaves through DEV, as a
# node does for pod egress.
tb_masquerade() {
	tb_nat_chain nat postrouting srcnat &&
		tb_in "$TB_NODE" nft add rule ip "${TB_TABLE}_nat" postrouting oifname "$1" masquerade
}

# tb_ext: the "internet" namespace, reached from pods through masquerade.
tb_ext() {
	tb_wire "$TB_PREFIX-ext" "$TB_NODE" v-ext "$TB_EXT_NODE" "$TB_EXT" || return 1
	ip -n "$TB_PREFIX-ext" route add default via "$TB_EXT_NODE"
	tb_masquerade v-ext
}

# tb_service CLUSTERIP PORT BACKEND TARGETPORT [tcp|udp]: kube-proxy's DNAT.
tb_service() {
	local proto=${5:-tcp}
	tb_nat_chain dnat prerouting dstnat &&
		tb_in "$TB_NODE" nft add rule ip "${TB_TABLE}_dnat" prerouting \
			ip daddr "$1" "$proto" dport "$2" dnat to "$3:$4"
}

# tb_serve NS PROTO ADDR PORT: a server in the background, killed at exit.
tb_serve() {
	ip netns exec "$1" "$PFTRAFFIC" serve "$2" "$3" "$4" &
	TB_PIDS+=($!)
}

# tb_listening NS tcp|udp PORT: waits until a server listens on PORT in
# NS, 2.5 s at the most; returns 1 if none came.
tb_listening() {
	local listening=-Htln
	[ "$2" = udp ] && listening=-Huln
	for _ in $(seq 50); do
		tb_in "$1" ss "$listening" "sport = :$3" | grep -q . && return 0
		sleep 0.05
	done
	return 1
}

# The kernel's count of new connections through the node.
tb_new_connections() {
	tb_in "$TB_NODE" nft list chain inet "$TB_TABLE" forward |
		sed -n 's/.*ct state new counter packets \([0-9]*\).*/\1/p'
}

# tb_podflowd_config FILE [dual] [SETTING]...: a podflowd configuration in
# FILE: the testbed's IPv4 pod CIDR (with "dual", its IPv6 one too), each
# SETTING ("key: value") on a line of its own, and the counters logged and
# saved only on SIGUSR1 and at exit, so that those a test finds are those
# it asked for.
tb_podflowd_config() {
	local file=$1 cidrs=$TB_POD_CIDR4
	shift
	if [ "${1:-}" = dual ]; then
		cidrs+=", \"$TB_POD_CIDR6\""
		shift
	fi
	{
		echo "pod_cidrs: [$cidrs]"
		[ $# -eq 0 ] || printf '%s\n' "$@"
		echo "stats_interval_seconds: 0"
	} >"$file"
}

# tb_podflowd_start CONFIG DB: runs podflowd in the node namespace and
# waits until it has done its initial dump.  Its log is $TB_TMP/podflowd.log.
tb_podflowd_start() {
	ip netns exec "$TB_NODE" $PODFLOWD --config "$1" --db "$2" \
		2>"$TB_TMP/podflowd.log" &
	TB_PODFLOWD=$!
	TB_PIDS+=("$TB_PODFLOWD")
	for _ in $(seq 100); do
		grep -q 'recording to' "$TB_TMP/podflowd.log" && return 0
		kill -0 "$TB_PODFLOWD" 2>/dev/null || break
		sleep 0.05
	done
	echo "podflowd did not start:" >&2
	cat "$TB_TMP/podflowd.log" >&2
	return 1
}

# Stops podflowd with SIGTERM; returns its exit status.
tb_podflowd_stop() {
	kill -TERM "$TB_PODFLOWD"
	wait "$TB_PODFLOWD"
}
