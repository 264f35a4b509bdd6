#!/usr/bin/python3
"""Fills a podflow database with a day of synthetic edges, as podflowd
would have recorded them on a cluster that bench/gen_cluster.py described
and `policygen import` read.

Usage: fill_edges.py DB [CONVERSATIONS] [PER_BUCKET]

A pool of CONVERSATIONS (default 30,000) recurring edges between the
imported pods, node addresses and outside hosts; each one-minute bucket of
2026-11-23 holds PER_BUCKET (default 700, +-50) of them, so a day is about
a million edge rows over some 30,000 distinct edges:

- 70 %: pod to pod on 8080/TCP, through the server's Service (port 80) 60 %
  of the time;
- 15 %: DNS, UDP to one of four pods of team-000 behind the ClusterIP
  10.96.0.10:53 (port 5353 after DNAT);
- 10 %: to one of 50 outside addresses on 443/TCP, SNATed to the node;
- 5 %: a node (a kubelet probe) to a pod on 8080/TCP.

The same arguments give the same database: a fixed seed, and the pool
sorted before sampling.
"""
import random
import sqlite3
import sys

BUCKET = 60
DAY_START = 1795392000  # 2026-11-23T00:00:00Z
NODES = [f"192.168.0.{i}" for i in range(10, 30)]  # gen_cluster.py's hostIPs

db = sys.argv[1]
conversations = int(sys.argv[2]) if len(sys.argv) > 2 else 30000
per_bucket = int(sys.argv[3]) if len(sys.argv) > 3 else 700

rng = random.Random(42)
con = sqlite3.connect(db)
ips = [r[0] for r in con.execute("SELECT ip FROM pod_ip ORDER BY pod_id, ip")]
if not ips:
    sys.exit("fill_edges.py: no pod addresses in the inventory; import one first")
# Each pod's Service address (gen_cluster.py: one Service per Deployment).
svc = dict(con.execute("""
    SELECT pi.ip, si.ip FROM pod_ip AS pi JOIN pod AS p ON p.id = pi.pod_id
    JOIN service AS s ON s.namespace = p.namespace AND s.name = p.workload_name
    JOIN service_ip AS si ON si.service_id = s.id"""))
dns = ips[:4]

pool = set()
for _ in range(conversations):
    r = rng.random()
    c = rng.choice(ips)
    if r < 0.70:
        s = rng.choice(ips)
        if rng.random() < 0.6 and s in svc:
            pool.add((c, s, 8080, 6, svc[s], 80, ""))
        else:
            pool.add((c, s, 8080, 6, "", 0, ""))
    elif r < 0.85:
        pool.add((c, rng.choice(dns), 5353, 17, "10.96.0.10", 53, ""))
    elif r < 0.95:
        pool.add((c, f"198.51.100.{rng.randint(1, 50)}", 443, 6, "", 0,
                  rng.choice(NODES)))
    else:
        pool.add((rng.choice(NODES), c, 8080, 6, "", 0, ""))
pool = sorted(pool)

# What podflowd records about itself and its configuration.
con.execute("INSERT OR REPLACE INTO meta (key, value) VALUES "
            "('pod_cidrs', '10.244.0.0/16'), ('time_bucket_seconds', ?)",
            (str(BUCKET),))
n = 0
with con:
    for b in range(24 * 3600 // BUCKET):
        bucket = DAY_START + BUCKET * b
        k = min(len(pool), rng.randint(per_bucket - 50, per_bucket + 50))
        rows = []
        for (c, s, p, proto, sip, sport, nat) in rng.sample(pool, k):
            first = bucket + rng.randint(0, BUCKET - 10)
            last = rng.randint(first, bucket + BUCKET - 1)
            # The latest start, as podflowd records it: between the
            # first start and the last sighting (drawn without the RNG,
            # so the rows stay those of earlier runs).
            rows.append((bucket, c, s, p, proto, sip, sport, nat, first,
                         last, rng.randint(1, 50), (first + last) // 2))
        con.executemany(
            "INSERT INTO edge (bucket, client_ip, server_ip, server_port, "
            "protocol, service_ip, service_port, client_nat_ip, first_seen, "
            "last_seen, connections, last_start) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        n += len(rows)
con.close()
print(f"{n} edges in {24 * 3600 // BUCKET} buckets, {len(pool)} distinct")
