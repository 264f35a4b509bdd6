#!/usr/bin/python3
"""Writes a kubectl-shaped `get ... -A -o json` List of a synthetic cluster.

Usage: gen_cluster.py PODS [NAMESPACES]

Each namespace gets Deployments of 10 pods (with their ReplicaSets and a
Service each); pods carry the fields kubectl prints for a running pod.
"""
import json
import sys
import uuid

pods_total = int(sys.argv[1])
namespaces = int(sys.argv[2]) if len(sys.argv) > 2 else 50
rng = uuid.UUID(int=0)
counter = 0


def uid():
    global counter
    counter += 1
    return str(uuid.UUID(int=(0x5F0D << 112) + counter))


items = []
for n in range(namespaces):
    ns = f"team-{n:03d}"
    items.append({"apiVersion": "v1", "kind": "Namespace",
                  "metadata": {"name": ns, "uid": uid(), "creationTimestamp": "2026-11-01T09:00:00Z",
                               "labels": {"kubernetes.io/metadata.name": ns, "team": f"t{n}"}},
                  "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
per_ns = pods_total // namespaces
pod_no = 0
for n in range(namespaces):
    ns = f"team-{n:03d}"
    for d in range(per_ns // 10):
        app = f"app-{d:03d}"
        h = f"{(n * 1000 + d) * 7919 % 0xfffffffff:09x}"[:9]
        rs = f"{app}-{h}"
        dep_uid, rs_uid = uid(), uid()
        items.append({"apiVersion": "apps/v1", "kind": "Deployment",
                      "metadata": {"name": app, "namespace": ns, "uid": dep_uid,
                                   "creationTimestamp": "2026-11-01T09:00:00Z"},
                      "spec": {"replicas": 10, "selector": {"matchLabels": {"app": app}},
                               "template": {"metadata": {"labels": {"app": app}},
                                            "spec": {"containers": [{"name": "main", "image": "registry.example/app:1"}]}}},
                      "status": {"replicas": 10}})
        items.append({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                      "metadata": {"name": rs, "namespace": ns, "uid": rs_uid,
                                   "creationTimestamp": "2026-11-01T09:00:00Z",
                                   "labels": {"app": app, "pod-template-hash": h},
                                   "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": app,
                                                        "uid": dep_uid, "controller": True, "blockOwnerDeletion": True}]},
                      "spec": {"replicas": 10, "selector": {"matchLabels": {"app": app, "pod-template-hash": h}},
                               "template": {"metadata": {"labels": {"app": app, "pod-template-hash": h}},
                                            "spec": {"containers": [{"name": "main", "image": "registry.example/app:1"}]}}},
                      "status": {"replicas": 10}})
        items.append({"apiVersion": "v1", "kind": "Service",
                      "metadata": {"name": app, "namespace": ns, "uid": uid(),
                                   "creationTimestamp": "2026-11-01T09:00:00Z"},
                      "spec": {"clusterIP": f"10.96.{n}.{d + 1}", "clusterIPs": [f"10.96.{n}.{d + 1}"],
                               "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}],
                               "selector": {"app": app}, "type": "ClusterIP"},
                      "status": {"loadBalancer": {}}})
        for p in range(10):
            ip = f"10.{244 + pod_no // 65536}.{pod_no // 256 % 256}.{pod_no % 256}"
            pod_no += 1
            items.append({"apiVersion": "v1", "kind": "Pod",
                          "metadata": {"name": f"{rs}-{p:05d}", "namespace": ns, "uid": uid(),
                                       "generateName": f"{rs}-", "creationTimestamp": "2026-11-20T08:00:00Z",
                                       "labels": {"app": app, "pod-template-hash": h},
                                       "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs,
                                                            "uid": rs_uid, "controller": True,
                                                            "blockOwnerDeletion": True}],
                                       "resourceVersion": str(1000 + pod_no)},
                          "spec": {"containers": [{"name": "main", "image": "registry.example/app:1",
                                                   "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                                                   "resources": {}, "terminationMessagePath": "/dev/termination-log",
                                                   "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"}],
                                   "nodeName": f"node-{pod_no % 20:02d}", "restartPolicy": "Always",
                                   "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
                                   "serviceAccountName": "default", "terminationGracePeriodSeconds": 30},
                          "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
                                     "hostIP": f"192.168.0.{pod_no % 20 + 10}",
                                     "hostIPs": [{"ip": f"192.168.0.{pod_no % 20 + 10}"}],
                                     "startTime": "2026-11-20T08:00:01Z", "qosClass": "BestEffort",
                                     "conditions": [{"type": "Ready", "status": "True",
                                                     "lastTransitionTime": "2026-11-20T08:00:05Z"}],
                                     "containerStatuses": [{"name": "main", "ready": True, "restartCount": 0,
                                                            "image": "registry.example/app:1",
                                                            "imageID": "registry.example/app@sha256:00",
                                                            "containerID": "containerd://00",
                                                            "started": True,
                                                            "state": {"running": {"startedAt": "2026-11-20T08:00:03Z"}}}]}})
json.dump({"apiVersion": "v1", "kind": "List", "items": items, "metadata": {"resourceVersion": ""}},
          sys.stdout, indent=4)
print()
