#!/bin/bash
# The kubectl-shaped fixtures and the shipped manifests against the
# official Kubernetes OpenAPI schemas (../shared/k8s-openapi), unknown
# fields rejected.
. "$(dirname "$0")/../lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
schemas=${PODFLOW_K8S_SCHEMAS:-$top/../shared/k8s-openapi}
validate=$top/tests/tools/k8s_validate.py
tmp=$(mktemp -d /tmp/podflow-schemas.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if [ ! -f "$schemas/api__v1_openapi.json" ]; then
	t_fail "schemas" "no Kubernetes schemas in $schemas"
	exit 1
fi

t_expect "fixtures and deploy/ match the schemas" 0 /usr/bin/python3 "$validate" "$schemas" \
	"$top"/tests/fixtures/*.yaml "$top"/tests/fixtures/*.json "$top"/deploy/*.yaml &&
	t_ok "fixtures and deploy/ match the schemas ($t_out)"

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
t_expect "the validator rejects unknown fields and wrong types" 1 /usr/bin/python3 "$validate" "$schemas" "$tmp/bad.yaml" &&
	case $t_out in *"unknown field bogus"*"want an integer"*) t_ok "the validator rejects unknown fields and wrong types" ;;
	*) t_fail "the validator rejects unknown fields and wrong types" "$t_out" ;; esac

t_done
