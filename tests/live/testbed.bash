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

# tb_ext: the "internet" namespace, reached from pods through masquerade.
tb_ext() {
	local ns=$TB_PREFIX-ext
	tb_ns_add "$ns" || return 1
	ip -n "$TB_NODE" link add v-ext type veth peer name eth0 netns "$ns" || return 1
	ip -n "$TB_NODE" addr add "$TB_EXT_NODE/24" dev v-ext
	ip -n "$TB_NODE" link set v-ext up
	ip -n "$ns" addr add "$TB_EXT/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add default via "$TB_EXT_NODE"
	tb_in "$TB_NODE" nft -f - <<-NFT
	table ip ${TB_TABLE}_nat {
		chain postrouting {
			type nat hook postrouting priority srcnat;
			oifname "v-ext" masquerade
		}
	}
	NFT
}

# tb_service CLUSTERIP PORT BACKEND TARGETPORT [tcp|udp]: kube-proxy's DNAT.
tb_service() {
	local proto=${5:-tcp}
	tb_in "$TB_NODE" nft list table ip "${TB_TABLE}_dnat" >/dev/null 2>&1 ||
		tb_in "$TB_NODE" nft -f - <<-NFT
	table ip ${TB_TABLE}_dnat {
		chain prerouting {
			type nat hook prerouting priority dstnat;
		}
	}
	NFT
	tb_in "$TB_NODE" nft add rule ip "${TB_TABLE}_dnat" prerouting \
		ip daddr "$1" "$proto" dport "$2" dnat to "$3:$4"
}

# tb_serve NS PROTO ADDR PORT: a server in the background, killed at exit.
tb_serve() {
	ip netns exec "$1" "$PFTRAFFIC" serve "$2" "$3" "$4" &
	TB_PIDS+=($!)
}

# The kernel's count of new connections through the node.
tb_new_connections() {
	tb_in "$TB_NODE" nft list chain inet "$TB_TABLE" forward |
		sed -n 's/.*ct state new counter packets \([0-9]*\).*/\1/p'
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
