#!/bin/bash
# policygen import: an object the API server would never have stored (a
# name, a label, an address, a port it refuses) is skipped with one warning
# naming it and its line, the rest of the snapshot is kept, and the exit
# status is 1.  A skipped pod keeps the addresses it held: its absence from
# the listing ends nothing.
. "$(dirname "$0")/../lib.sh"

t_tmpdir import-invalid
db=$tmp/podflow.db
good=$(t_pod_item ok-1 22222222-0000-4000-8000-000000000001 10.244.3.1 2026-11-23T08:00:00Z ok-5f5f5f5f5 5f5f5f5f5)

# invalid NAME WANT EDIT: the good pod, then a second one as t_pod_item
# makes it with sed script EDIT applied; WANT is the warning's tail.
invalid() {
	local name=$1 want=$2 edit=$3
	{
		printf '%s\n' "$good"
		t_pod_item bad-1 33333333-0000-4000-8000-000000000001 10.244.3.9 \
			2026-11-23T08:00:00Z bad-6b6b6b6b6 6b6b6b6b6 >"$tmp/pod.yaml"
		# A script file: a 10 MB argument is too long for exec.
		printf '%s\n' "$edit" >"$tmp/edit.sed"
		sed -f "$tmp/edit.sed" "$tmp/pod.yaml"
	} | t_list >"$tmp/in.yaml"
	rm -f "$db"
	t_case "$name"
	t_run 1 "$POLICYGEN" import --db "$db" --at 2026-11-23T09:00:00Z "$tmp/in.yaml"
	t_match "$t_err" "*policygen: warning: $tmp/in.yaml:*: Pod shop*/*: $want; Pod shop*/* skipped*"
	t_check "two lines: the warning and the count: $t_err" \
		[ "$(printf '%s\n' "$t_err" | wc -l)" -eq 2 ]
	t_match "$t_err" "*: 1 object refused as the API server would (above), the rest imported"
	t_check "the good pod is kept" [ "$(t_sql "$db" "SELECT group_concat(name) FROM pod")" = ok-1 ]
}

long64=$(printf 'a%.0s' $(seq 64))
invalid "a pod name with a capital and _" \
	"metadata.name 'Bad_Pod' is not a DNS-1123 subdomain*" 's/name: bad-1$/name: Bad_Pod/'
invalid "a namespace that is not a DNS label" \
	"metadata.namespace 'shop.eu' is not a DNS-1123 label*" 's/namespace: shop$/namespace: shop.eu/'
invalid "a label value of 64 characters" \
	"metadata.labels.app '$long64' is not a label value*" "s/app: bad\$/app: $long64/"
invalid "a label key whose name part is 64 characters" \
	"metadata.labels: key 'example.com/$long64' is not a label key*" \
	"s|app: bad\$|example.com/$long64: x|"
invalid "a label key of 318 characters" \
	"metadata.labels: key '*...' is not a label key*" \
	"s|app: bad\$|$(printf 'a%.0s' $(seq 254))/$(printf 'b%.0s' $(seq 63)): x|"
for v in '"a\\"b"' "\"it's\"" '"a: b"' '"a #b"' '"a\\nb"' '"- a"' '"*a"' '"&a"' '"!!str"' \
	'"a\\u202eb"' '"a\\u200bb"' '"a\\U0001F600"' '"a\\u0000b"'; do
	invalid "label value $v" "metadata.labels.app * is not *" "s|app: bad\$|app: $v|"
done
invalid "a null label value" "metadata.labels.app is not a string" 's/app: bad$/app: null/'
invalid "a NUL in a label value is shown, not cut" \
	"metadata.labels.app 'a\\\\x00b' is not a label value*" 's/app: bad$/app: "a\\0b"/'
invalid "a label value with a terminal escape is shown escaped" \
	"metadata.labels.app 'a\\\\x1b\\[31mred' is not a label value*" 's/app: bad$/app: "a\\e[31mred"/'
invalid "pod IP 999.1.1.1" "status.podIPs\\[\\].ip '999.1.1.1' is not an IP address" 's/10\.244\.3\.9/999.1.1.1/'
invalid "a pod IP with a leading zero" "status.podIPs\\[\\].ip '10.244.3.09' is not an IP address" 's/10\.244\.3\.9/10.244.3.09/'
invalid "an IPv4-mapped pod IP" "status.podIPs\\[\\].ip '::ffff:10.244.3.9' is not an IP address" 's/10\.244\.3\.9/::ffff:10.244.3.9/'
invalid "a pod without uid" "missing metadata.uid" '/^    uid: 3333/d'
invalid "a bad timestamp" "metadata.creationTimestamp is not an RFC 3339 time" 's/creationTimestamp: .*/creationTimestamp: yesterday/'
invalid "a controller name that is no object name" \
	"name 'Bad RS' is not a DNS-1123 subdomain*" 's/name: bad-6b6b6b6b6$/name: Bad RS/'
invalid "a node name with a space" "spec.nodeName 'node a' is not a DNS-1123 subdomain*" 's/nodeName: node-a/nodeName: node a/'
invalid "a container port that is not a number" "containerPort is not a number" \
	's/name: app$/name: app\n      ports:\n      - containerPort: http/'
invalid "a container port in hex" "containerPort is not a number" \
	's/name: app$/name: app\n      ports:\n      - containerPort: 0x50/'
invalid "a quoted container port" "containerPort is not a number" \
	's/name: app$/name: app\n      ports:\n      - containerPort: "80"/'
invalid "a container port out of range" "containerPort 70000 is out of range (1 to 65535)" \
	's/name: app$/name: app\n      ports:\n      - containerPort: 70000/'
invalid "a container port name of 16 characters" "name 'abcdefghijklmnop' is not a port name*" \
	's/name: app$/name: app\n      ports:\n      - containerPort: 80\n        name: abcdefghijklmnop/'
invalid "a protocol other than TCP, UDP, SCTP" "protocol 'ICMP' is not TCP, UDP or SCTP" \
	's/name: app$/name: app\n      ports:\n      - containerPort: 80\n        protocol: ICMP/'

# A 10 MB label value: refused, and the message stays short.
invalid "a 10 MB label value" "metadata.labels.app 'xxx*...' is not a label value*" \
	"s|app: bad\$|app: $(head -c 10000000 /dev/zero | tr '\0' x)|"
t_check "the message is short: ${#t_err} bytes" [ "${#t_err}" -lt 1500 ]

# --- the other kinds ------------------------------------------------------
one() { # NAME WANT YAML: one object of another kind
	printf '%s\n' "$3" >"$tmp/one.yaml"
	rm -f "$db"
	t_case "$1"
	t_run 1 "$POLICYGEN" import --db "$db" "$tmp/one.yaml"
	t_match "$t_err" "*policygen: warning: $tmp/one.yaml:*: $2*skipped*"
}
one "a Service name that starts with a digit" "Service shop/1web: metadata.name '1web' is not a DNS-1035 label" \
	'{"kind":"Service","metadata":{"name":"1web","namespace":"shop"},"spec":{"clusterIP":"10.96.0.9","ports":[{"port":80}]}}'
one "a Service cluster IP that is none" "Service shop/web: spec.clusterIP '10.96.0.999' is not an IP address" \
	'{"kind":"Service","metadata":{"name":"web","namespace":"shop"},"spec":{"clusterIP":"10.96.0.999","ports":[{"port":80}]}}'
one "a Service targetPort name with a capital" "Service shop/web: targetPort 'Http' is not a port name" \
	'{"kind":"Service","metadata":{"name":"web","namespace":"shop"},"spec":{"clusterIP":"10.96.0.9","ports":[{"port":80,"targetPort":"Http"}]}}'
one "a Service selector with a bad value" "Service shop/web: spec.selector.app 'a b' is not a label value" \
	'{"kind":"Service","metadata":{"name":"web","namespace":"shop"},"spec":{"selector":{"app":"a b"},"clusterIP":"10.96.0.9","ports":[{"port":80}]}}'
one "a Namespace name with a dot" "Namespace a.b: metadata.name 'a.b' is not a DNS-1123 label" \
	'{"kind":"Namespace","metadata":{"name":"a.b"}}'
one "a Node address that is none" "Node node-z: status.addresses[] '10.0.0' is not an IP address" \
	'{"kind":"Node","metadata":{"name":"node-z"},"status":{"addresses":[{"type":"InternalIP","address":"10.0.0"}]}}'
one "a Deployment selector with an unknown operator" "Deployment shop/web: operator 'Like' is not In, NotIn, Exists or DoesNotExist" \
	'{"kind":"Deployment","metadata":{"name":"web","namespace":"shop"},"spec":{"selector":{"matchExpressions":[{"key":"app","operator":"Like","values":["web"]}]}}}'
one "a Deployment selector In without values" "Deployment shop/web: operator In needs values" \
	'{"kind":"Deployment","metadata":{"name":"web","namespace":"shop"},"spec":{"selector":{"matchExpressions":[{"key":"app","operator":"In"}]}}}'

# --- a pod skipped keeps its tenure; its neighbours still end -----------
t_case "first snapshot: three pods"
{
	printf '%s\n' "$good"
	t_pod_item keep-1 44444444-0000-4000-8000-000000000001 10.244.4.1 2026-11-23T08:00:00Z keep-7c7c7c7c7 7c7c7c7c7
	t_pod_item gone-1 44444444-0000-4000-8000-000000000002 10.244.4.2 2026-11-23T08:00:00Z gone-8d8d8d8d8 8d8d8d8d8
} | t_list >"$tmp/s1.yaml"
rm -f "$db"
t_run 0 "$POLICYGEN" import --db "$db" --at 2026-11-23T09:00:00Z "$tmp/s1.yaml"
t_case "second snapshot: keep-1 now invalid, gone-1 gone"
{
	printf '%s\n' "$good"
	t_pod_item keep-1 44444444-0000-4000-8000-000000000001 10.244.4.1 2026-11-23T08:00:00Z keep-7c7c7c7c7 7c7c7c7c7 |
		sed 's/app: keep$/app: "bad value"/'
} | t_list >"$tmp/s2.yaml"
t_run 1 "$POLICYGEN" import --db "$db" --at 2026-11-23T10:00:00Z "$tmp/s2.yaml"
t_match "$t_out" "*1 pod, *; 1 pod no longer listed"
t_sql_case "the skipped pod keeps its address, unended" "$db" \
	"SELECT coalesce(gone_at, 'none') || ' ' || coalesce(valid_until, 'open') || ' ' || labels FROM pod JOIN pod_ip ON pod_id = pod.id WHERE name = 'keep-1'" \
	'none open {"app":"keep","pod-template-hash":"7c7c7c7c7"}'
t_sql_case "the pod no longer listed ends" "$db" \
	"SELECT valid_until FROM pod JOIN pod_ip ON pod_id = pod.id WHERE name = 'gone-1'" \
	"$(date -u -d 2026-11-23T10:00:00Z +%s)"
t_case "a skipped pod found by its name when its uid is what is wrong"
sed 's/uid: 44444444-0000-4000-8000-000000000001/uid: "a\\0b"/' "$tmp/s2.yaml" >"$tmp/s3.yaml"
t_run 1 "$POLICYGEN" import --db "$db" --at 2026-11-23T11:00:00Z "$tmp/s3.yaml"
t_match "$t_err" "*metadata.uid holds a NUL byte*"
t_sql_case "...and kept too" "$db" \
	"SELECT coalesce(gone_at, 'none') || ' ' || coalesce(valid_until, 'open') FROM pod JOIN pod_ip ON pod_id = pod.id WHERE name = 'keep-1'" \
	"none open"

# --- a watch skips the object and goes on ---------------------------------
t_case "a watch skips a bad object and applies the next"
{
	t_pod_item bad-1 33333333-0000-4000-8000-000000000001 10.244.3.9 2026-11-23T08:00:00Z bad-6b6b6b6b6 6b6b6b6b6 |
		sed -e 's/^- //' -e 's/^  //' -e 's/name: bad-1$/name: Bad_Pod/'
	echo ---
	printf '%s\n' "$good" | sed -e 's/^- //' -e 's/^  //'
} >"$tmp/watch.yaml"
rm -f "$db"
t_run 1 "$POLICYGEN" import --db "$db" --watch "$tmp/watch.yaml"
t_match "$t_err" "*warning: $tmp/watch.yaml:*: Pod shop/Bad_Pod: metadata.name 'Bad_Pod'*"
t_sql_case "the good pod after it is there" "$db" "SELECT group_concat(name) FROM pod" ok-1

# What kubectl prints where its -o yaml belongs: the error says what it is.
t_case "kubectl's table output: the error names -o yaml"
t_run 2 bash -c "printf 'NAME    READY   STATUS\nweb-1   1/1     Running\n' | '$POLICYGEN' import --db '$tmp/hint.db' -"
t_equal "$t_err" "policygen: <stdin>:1:1: object: expected a Kubernetes object (a map); this is kubectl's table output: give kubectl get -o yaml (or -o json)"
t_case "a kubectl error piped in: the error says so"
t_run 2 bash -c "printf 'error: error loading config file \"/root/.kube/config\": open /root/.kube/config: permission denied\n' | '$POLICYGEN' import --db '$tmp/hint.db' -"
t_match "$t_err" "*; this is a message kubectl printed, not its output: see what kubectl says, and check its kubeconfig and context"
t_run 2 bash -c "printf 'The connection to the server localhost:8080 was refused - did you specify the right host or port?\n' | '$POLICYGEN' import --db '$tmp/hint.db' -"
t_match "$t_err" "*; this is a message kubectl printed, not its output*"
t_done
