#!/usr/bin/python3
"""An independent evaluator of Kubernetes NetworkPolicy semantics, for tests.

Usage: netpol_eval.py DB POLICIES.yaml FLOWS

DB is a podflow database (its inventory gives pods, their IPs and labels,
and namespace labels).  FLOWS is a file of lines "SRC DST PORT PROTO
EXPECT", where SRC and DST are NAMESPACE/WORKLOAD (a pod of that workload)
or an IP address, and EXPECT is ALLOW or DENY.  Prints each flow with the
verdict and exits 1 if any verdict differs from EXPECT.

Semantics (kubernetes.io/docs/concepts/services-networking/network-policies):
a pod is isolated for a direction when a policy in its namespace selects
it with that policyType; then only what some such policy's rules allow
gets through.  A pod-to-pod connection needs egress at the source and
ingress at the destination.  ipBlocks are applied to any address.
"""
import ipaddress
import json
import sqlite3
import sys

import yaml


def load(db):
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    pods = {}
    for ns, kind, name, labels, ip in c.execute(
            "SELECT p.namespace, p.workload_kind, p.workload_name, p.labels, pi.ip "
            "FROM pod p JOIN pod_ip pi ON pi.pod_id = p.id "
            "WHERE p.host_network = 0 AND pi.valid_until IS NULL ORDER BY p.id"):
        pods.setdefault(f"{ns}/{name}", {"ns": ns, "labels": json.loads(labels), "ips": []})["ips"].append(ip)
    nslabels = {name: json.loads(labels) for name, labels in c.execute("SELECT name, labels FROM namespace")}
    for p in pods.values():
        nslabels.setdefault(p["ns"], {"kubernetes.io/metadata.name": p["ns"]})
    return pods, nslabels


def matches(sel, labels):
    if sel is None:
        return True
    for k, v in (sel.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in sel.get("matchExpressions") or []:
        k, op, vals = e["key"], e["operator"], e.get("values") or []
        if op == "In" and labels.get(k) not in vals:
            return False
        if op == "NotIn" and k in labels and labels[k] in vals:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
    return True


def peer_matches(peer, policy_ns, other, nslabels):
    if "ipBlock" in peer:
        ip = ipaddress.ip_address(other["ip"])
        block = peer["ipBlock"]
        if ip not in ipaddress.ip_network(block["cidr"]):
            return False
        return not any(ip in ipaddress.ip_network(x) for x in block.get("except") or [])
    if other.get("pod") is None:
        return False
    pod = other["pod"]
    if "namespaceSelector" in peer:
        if not matches(peer["namespaceSelector"], nslabels.get(pod["ns"], {})):
            return False
    elif pod["ns"] != policy_ns:
        return False
    return matches(peer.get("podSelector"), pod["labels"])


def port_matches(ports, port, proto):
    if not ports:
        return True
    for p in ports:
        if p.get("protocol", "TCP") != proto:
            continue
        if "port" not in p:
            return True
        lo, hi = p["port"], p.get("endPort", p["port"])
        if isinstance(lo, int) and lo <= port <= hi:
            return True
    return False


def allowed(policies, pod, direction, other, port, proto, nslabels):
    """Whether pod lets the connection through in direction."""
    key, peers_key, ptype = ("egress", "to", "Egress") if direction == "egress" else ("ingress", "from", "Ingress")
    isolated = False
    for pol in policies:
        if pol["metadata"]["namespace"] != pod["ns"]:
            continue
        spec = pol["spec"]
        types = spec.get("policyTypes") or (["Ingress", "Egress"] if "egress" in spec else ["Ingress"])
        if ptype not in types or not matches(spec.get("podSelector") or {}, pod["labels"]):
            continue
        isolated = True
        for rule in spec.get(key) or []:
            peers = rule.get(peers_key)
            if (not peers or any(peer_matches(p, pod["ns"], other, nslabels) for p in peers)) \
                    and port_matches(rule.get("ports"), port, proto):
                return True
    return not isolated


def endpoint(token, pods):
    """NS/WORKLOAD (a pod of it, its first address), or an address."""
    if "/" in token and ":" not in token:
        pod = pods[token]
        return {"pod": pod, "ip": pod["ips"][0]}
    return {"pod": None, "ip": token}


def main():
    pods, nslabels = load(sys.argv[1])
    with open(sys.argv[2]) as f:
        policies = [d for d in yaml.safe_load_all(f) if d]
    wrong = 0
    for line in open(sys.argv[3]):
        line = line.split("#")[0].strip()
        if not line:
            continue
        src_t, dst_t, port, proto, expect = line.split()
        src, dst = endpoint(src_t, pods), endpoint(dst_t, pods)
        port = int(port)
        ok = True
        if src["pod"]:
            ok = allowed(policies, src["pod"], "egress", dst, port, proto, nslabels)
        if ok and dst["pod"]:
            ok = allowed(policies, dst["pod"], "ingress", src, port, proto, nslabels)
        verdict = "ALLOW" if ok else "DENY"
        mark = "ok" if verdict == expect else "WRONG"
        wrong += verdict != expect
        print(f"{mark:5} {verdict:5} {src_t} -> {dst_t}:{port}/{proto}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
