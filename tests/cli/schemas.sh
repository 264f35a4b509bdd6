#!/bin/bash
# The kubectl-shaped fixtures and the shipped manifests against the
# official Kubernetes OpenAPI schemas (../shared/k8s-openapi), unknown
# fields rejected.
. "$(dirname "$0")/../lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
schemas=${PODFLOW_K8S_SCHEMAS:-$top/../shared/k8s-openapi}
validate=$top/tests/tools/k8s_validate.py
t_tmpdir schemas

if [ ! -f "$schemas/api__v1_openapi.json" ]; then
	t_fail "schemas" "no Kubernetes schemas in $schemas"
	exit 1
fi

t_case "fixtures and deploy/ match the schemas"
t_run 0 /usr/bin/python3 "$validate" "$schemas" \
	"$FIXTURES"/*.yaml "$FIXTURES"/*.json "$top"/deploy/*.yaml
t_note "($t_out)"

# The validator itself must reject what the API server would.
cat >"$tmp/bad.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: x
  bogus: 1
spec:
  containers:
  - name: c
    ports:
    - containerPort: "80"
YAML
t_case "the validator rejects unknown fields and wrong types"
t_run 1 /usr/bin/python3 "$validate" "$schemas" "$tmp/bad.yaml"
t_match "$t_out" "*unknown field bogus*want an integer*"

t_done
