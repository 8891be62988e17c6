#!/usr/bin/env bash
# The local stack for `make demo` and the e2e tests: a real etcd, kube-apiserver,
# kube-scheduler and Tekton Pipelines controller, plus kwok faking one node,
# all as local processes on 127.0.0.1 (no containers). Facts and traps:
# /work/shared/LOCAL-STACK.md.
#
#   test/stack/stack.sh up       build the binaries (cached, see build.sh), start the
#                                stack, prove a PipelineRun succeeds. Idempotent.
#   test/stack/stack.sh env      shell lines for: eval "$(test/stack/stack.sh env)"
#                                (KUBECONFIG, FRESNEL_STACK_BIN, FRESNEL_STACK_DIR,
#                                FRESNEL_STACK_APISERVER, PATH with kubectl first)
#   test/stack/stack.sh status   what is running; exit 0 only when all of it is healthy
#   test/stack/stack.sh check [EXIT_CODE [DURATION]]
#                                run one trivial PipelineRun and print how it ended
#   test/stack/stack.sh down     stop everything, remove the run dir (binaries stay)
#
# State (pids, logs, certs, kubeconfig, etcd data) lives in
# ${FRESNEL_STACK_DIR:-$HOME/.cache/fresnel-e2e/run}; the binaries in build.sh's cache.
#
# Steering a run (annotations on the PipelineRun; Tekton copies them to TaskRun and Pod,
# where kwok's stages below read them):
#   fresnel.dev/test-exit-code: "N"    exit code of every step-* container; "0" or absent
#                                      -> pod Succeeded; anything else -> pod Failed, and
#                                      Tekton reports `"step-x" exited with code N`
#   fresnel.dev/test-duration: "5s"    time the pod stays Running before it completes
#                                      (Go duration; absent = 0s; "1h" keeps the run
#                                      Running, for cancellation and timeout tests)
#   fresnel.dev/test-results: '[{"key":"url","value":"x","type":1}]'
#                                      optional termination message of every step-*
#                                      container (Tekton's entrypoint format), which
#                                      Tekton turns into task results
#
# Measured on this machine (2 cores, binaries cached, load average 5-10 from other
# builds): `up` from nothing 19-31 s (kube-apiserver /readyz after 8-12 s, Tekton
# objects applied after 16-25 s, the check PipelineRun 1-3 s); RSS right after `up`
# ~670-690 MB (kube-apiserver ~430, kube-scheduler ~67, tekton-controller ~75,
# etcd ~56, kwok ~60), growing with objects (kube-apiserver ~1.4 GB with ~760
# PipelineRuns and their TaskRuns and Pods). `up` on a healthy stack ~1 s;
# `down` ~3 s. One PipelineRun: ~1 s; with fresnel.dev/test-duration: that + ~1 s.
#
# Not here (no kube-controller-manager): garbage collection (deleting a PipelineRun
# leaves its TaskRuns and Pods: delete them too), namespace deletion (a deleted
# namespace stays Terminating), automatic `default` ServiceAccounts (create one in
# every namespace that runs pods). The Tekton controller binds :8080 (knative's
# probes, fixed) and its probes and profiling ports on all interfaces (their host is
# not configurable), so only one stack can run at a time; everything else listens
# on 127.0.0.1 only.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
run=${FRESNEL_STACK_DIR:-$HOME/.cache/fresnel-e2e/run}
TEKTON_VERSION=v1.15.1 # keep in step with build.sh
NODE_NAME=kwok-node-0
CHECK_NS=stack-check
# Start order; stopped in reverse.
COMPONENTS=(etcd kube-apiserver kube-scheduler kwok tekton-controller)

log() { echo "stack: $*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

# fail COMPONENT MESSAGE: report, show the end of the component's log, exit.
fail() {
	local comp=$1
	shift
	log "ERROR: $*"
	if [ -n "$comp" ] && [ -f "$run/logs/$comp.log" ]; then
		log "last lines of $run/logs/$comp.log:"
		tail -n 30 "$run/logs/$comp.log" | cut -c1-400 | sed 's/^/stack:   | /' >&2
	fi
	exit 1
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# --- state -------------------------------------------------------------------

bin_dir() { cat "$run/bin-dir" 2>/dev/null; }

load_state() {
	[ -f "$run/state.env" ] || return 1
	# shellcheck disable=SC1091
	. "$run/state.env"
	bin=$(bin_dir)
}

pid_of() { cat "$run/pids/$1.pid" 2>/dev/null; }

# alive COMPONENT: its recorded pid runs our binary (guards against pid reuse
# and zombies).
alive() {
	local pid args b
	pid=$(pid_of "$1") || return 1
	[ -n "$pid" ] || return 1
	b=$(bin_dir) || return 1
	args=$(ps -p "$pid" -o args= 2>/dev/null) || return 1
	[[ $args == "$b/$1"* ]]
}

kc() { "$bin/kubectl" --kubeconfig "$run/kubeconfig" "$@"; }

# kc_apply ARGS...: a server-side apply, always as the stack's one field
# manager.
kc_apply() { kc apply --server-side --field-manager fresnel-stack "$@" >/dev/null; }

apiserver_ready() { kc get --raw /readyz >/dev/null 2>&1; }

healthy() {
	load_state 2>/dev/null || return 1
	local c
	for c in "${COMPONENTS[@]}"; do
		alive "$c" || return 1
	done
	apiserver_ready
}

# --- processes ---------------------------------------------------------------

# start NAME ARGS...: run $bin/NAME in the background, detached from the
# caller's stdio (so `go test` or make do not wait on inherited pipes) and
# from the lock.
start() {
	local name=$1
	shift
	log "starting $name"
	nohup "$bin/$name" "$@" >"$run/logs/$name.log" 2>&1 </dev/null 9>&- &
	echo $! >"$run/pids/$name.pid"
}

# stop_all: SIGTERM to every running component at once (the data goes
# anyway), SIGKILL to whatever still runs 10 s later.
stop_all() {
	local c i t0 deadline left=() still
	for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
		c=${COMPONENTS[i]}
		if alive "$c"; then
			kill -TERM "$(pid_of "$c")" 2>/dev/null || true
			left+=("$c")
		fi
	done
	t0=$(now)
	deadline=$((SECONDS + 10))
	while [ ${#left[@]} -gt 0 ] && [ "$SECONDS" -lt "$deadline" ]; do
		still=()
		for c in "${left[@]}"; do
			if alive "$c"; then
				still+=("$c")
			else
				log "stopped $c ($(since "$t0")s)"
			fi
		done
		left=(${still[@]+"${still[@]}"})
		[ ${#left[@]} -eq 0 ] || sleep 0.1
	done
	for c in ${left[@]+"${left[@]}"}; do
		log "$c (pid $(pid_of "$c")) ignored SIGTERM for 10s; sending SIGKILL"
		kill -KILL "$(pid_of "$c")" 2>/dev/null || true
	done
	rm -f "$run"/pids/*.pid
}

remove_run_dir() {
	[ -d "$run" ] || return 0
	if [ ! -f "$run/.fresnel-stack" ] && [ -n "$(ls -A "$run")" ]; then
		die "$run does not look like a stack run dir (no .fresnel-stack); not removing it"
	fi
	rm -rf "$run"
}

# wait_until COMPONENT TIMEOUT_S WHAT COMMAND...: poll COMMAND; fail early if
# COMPONENT dies.
wait_until() {
	local comp=$1 timeout=$2 what=$3
	shift 3
	local deadline=$((SECONDS + timeout))
	until "$@" >/dev/null 2>&1; do
		if [ -n "$comp" ] && ! alive "$comp"; then
			fail "$comp" "$comp exited while waiting for $what"
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			fail "$comp" "timed out after ${timeout}s waiting for $what"
		fi
		sleep 0.1
	done
}

lock() {
	mkdir -p "$(dirname "$run")"
	exec 9>"$run.lock"
	if command -v flock >/dev/null; then
		flock -w 900 9 || die "another stack.sh holds $run.lock"
	fi
}

# free_ports N: N distinct free TCP ports on 127.0.0.1.
free_ports() {
	python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- configuration files -----------------------------------------------------

write_kubeconfig() {
	local ca
	ca=$(base64 <"$run/pki/apiserver/apiserver.crt" | tr -d '\n')
	cat >"$run/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: fresnel-stack
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority-data: $ca
users:
- name: admin
  user:
    token: $TOKEN
contexts:
- name: fresnel-stack
  context:
    cluster: fresnel-stack
    user: admin
current-context: fresnel-stack
EOF
	chmod 600 "$run/kubeconfig"
}

# kwok stages: a node that is Ready at once, pods that start at once and go
# away when deleted, and two for Tekton's pods (tekton_pod_stage below).
write_kwok_stages() {
	{
		cat <<'EOF'
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: fresnel-node-ready
spec:
  resourceRef: {apiGroup: v1, kind: Node}
  selector:
    matchExpressions:
    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: 'NotIn'
      values: ['True']
  next:
    statusTemplate: |
      {{ $at := Now | Quote }}
      phase: Running
      conditions:
      - {type: Ready, status: "True", reason: KwokReady, message: "simulated by kwok", lastHeartbeatTime: {{ $at }}, lastTransitionTime: {{ $at }}}
      capacity: {cpu: "64", memory: 256Gi, pods: "10000"}
      allocatable: {cpu: "64", memory: 256Gi, pods: "10000"}
      nodeInfo: {architecture: amd64, operatingSystem: linux, kubeletVersion: {{ printf "kwok-%s" Version | Quote }}}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: fresnel-pod-start
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.phase'
      operator: 'In'
      values: ['Pending']
  next:
    statusTemplate: |
      {{ $at := Now | Quote }}
      phase: Running
      startTime: {{ $at }}
      conditions:
      - {type: Initialized, status: "True", lastTransitionTime: {{ $at }}}
      - {type: ContainersReady, status: "True", lastTransitionTime: {{ $at }}}
      - {type: Ready, status: "True", lastTransitionTime: {{ $at }}}
      initContainerStatuses:
      {{ range .spec.initContainers }}
      - {name: {{ .name | Quote }}, image: {{ .image | Quote }}, ready: true, restartCount: 0,
         state: {terminated: {exitCode: 0, reason: Completed, startedAt: {{ $at }}, finishedAt: {{ $at }}}}}
      {{ end }}
      containerStatuses:
      {{ range .spec.containers }}
      - {name: {{ .name | Quote }}, image: {{ .image | Quote }}, ready: true, started: true, restartCount: 0,
         state: {running: {startedAt: {{ $at }}}}}
      {{ end }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: fresnel-pod-remove
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'Exists'
  next:
    delete: true
EOF
		# Tekton's pods whose exit code annotation is absent or "0": every
		# container terminates with 0 and the pod Succeeds.
		tekton_pod_stage tekton-pod-succeed In <<'EOF'
        {{ $now := Now }}
        {{ $ann := or .metadata.annotations dict }}
        {{ $msg := index $ann "fresnel.dev/test-results" }}
        {{ $started := or .status.startTime $now }}
        containerStatuses:
        {{ range .spec.containers }}
        - image: {{ .image | Quote }}
          name: {{ .name | Quote }}
          ready: false
          restartCount: 0
          started: false
          state:
            terminated:
              exitCode: 0
              reason: Completed
              {{ if and $msg (hasPrefix "step-" .name) }}
              message: {{ $msg | Quote }}
              {{ end }}
              startedAt: {{ $started | Quote }}
              finishedAt: {{ $now | Quote }}
        {{ end }}
        phase: Succeeded
EOF
		# The same with a non-zero fresnel.dev/test-exit-code: every step-*
		# container terminates with that code (other containers, i.e. sidecars,
		# with 0) and the pod fails.
		tekton_pod_stage tekton-pod-fail NotIn <<'EOF'
        {{ $now := Now }}
        {{ $ann := or .metadata.annotations dict }}
        {{ $code := or (index $ann "fresnel.dev/test-exit-code") "1" | atoi }}
        {{ if eq $code 0 }}{{ $code = 1 }}{{ end }}
        {{ $msg := index $ann "fresnel.dev/test-results" }}
        {{ $started := or .status.startTime $now }}
        containerStatuses:
        {{ range .spec.containers }}
        - image: {{ .image | Quote }}
          name: {{ .name | Quote }}
          ready: false
          restartCount: 0
          started: false
          state:
            terminated:
              {{ if hasPrefix "step-" .name }}
              exitCode: {{ $code }}
              reason: Error
              {{ with $msg }}
              message: {{ . | Quote }}
              {{ end }}
              {{ else }}
              exitCode: 0
              reason: Completed
              {{ end }}
              startedAt: {{ $started | Quote }}
              finishedAt: {{ $now | Quote }}
        {{ end }}
        phase: Failed
EOF
	} >"$run/kwok-stages.yaml"
}

# tekton_pod_stage NAME OPERATOR: a kwok stage for Tekton's pods (label
# tekton.dev/taskRun), Running, not being deleted, whose
# fresnel.dev/test-exit-code (absent is "0") is OPERATOR (In or NotIn) ['0']:
# after fresnel.dev/test-duration it patches the pod's status with the
# template on stdin.
tekton_pod_stage() {
	cat <<EOF
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: $1
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - jq:
        key: '.metadata.deletionTimestamp'
        operator: 'DoesNotExist'
    - jq:
        key: '.status.phase'
        operator: 'In'
        values: ['Running']
    - jq:
        key: '.metadata.labels["tekton.dev/taskRun"]'
        operator: 'Exists'
    - jq:
        key: '.metadata.annotations["fresnel.dev/test-exit-code"] // "0"'
        operator: '$2'
        values: ['0']
  delay:
    durationMilliseconds: 0
    durationFrom:
      jq:
        expression: '.metadata.annotations["fresnel.dev/test-duration"]'
  steps:
  - patch:
      subresource: status
      root: status
      template: |
EOF
	cat
}

# --- Tekton ------------------------------------------------------------------

tekton_module_dir() {
	local tmp dir
	tmp=$(mktemp -d)
	dir=$(cd "$tmp" && GOWORK=off GOFLAGS=-mod=mod go mod download -json "github.com/tektoncd/pipeline@$TEKTON_VERSION" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
	rmdir "$tmp"
	if [ -z "$dir" ] || [ ! -d "$dir/config" ]; then
		die "cannot find the tektoncd/pipeline $TEKTON_VERSION module (go mod download)"
	fi
	echo "$dir"
}

apply_tekton() {
	local dir cfg files=() f
	dir=$(tekton_module_dir)
	cfg=$dir/config
	log "applying Tekton $TEKTON_VERSION objects from $cfg"
	kc_apply -f "$cfg/100-namespace/"
	# No conversion webhook here: serve v1 as stored (trap 4). JSON, because
	# `patch --local -o yaml` prints several objects without `---` between them.
	kc patch --local -f "$cfg/300-crds/" --type merge \
		-p '{"spec":{"conversion":{"strategy":"None","webhook":null}}}' -o json |
		kc_apply -f -
	for f in "$cfg"/200-*.yaml "$cfg"/201-*.yaml "$cfg"/config-*.yaml; do
		files+=(-f "$f")
	done
	kc_apply "${files[@]}"
	kc wait --for condition=Established crd --all --timeout 60s >/dev/null
	kc get crd pipelineruns.tekton.dev taskruns.tekton.dev >/dev/null || die "Tekton CRDs missing after apply"
}

start_tekton() {
	(
		export SYSTEM_NAMESPACE=tekton-pipelines
		export KUBERNETES_MIN_VERSION=v1.28.0
		export CONFIG_DEFAULTS_NAME=config-defaults
		export CONFIG_LOGGING_NAME=config-logging
		export CONFIG_OBSERVABILITY_NAME=config-observability
		export CONFIG_FEATURE_FLAGS_NAME=feature-flags
		export CONFIG_LEADERELECTION_NAME=config-leader-election-controller
		export CONFIG_SPIRE=config-spire
		export METRICS_DOMAIN=tekton.dev/pipeline
		export METRICS_PROMETHEUS_HOST=127.0.0.1
		export METRICS_PROMETHEUS_PORT=$TEKTON_METRICS_PORT
		export PROFILING_PORT=$TEKTON_PROFILING_PORT
		export PROBES_PORT=$TEKTON_PROBES_PORT
		# Images are never pulled (kwok runs the pods); they only need names.
		start tekton-controller \
			-kubeconfig "$run/kubeconfig" \
			-disable-ha \
			-threads-per-controller 4 -kube-api-qps 50 -kube-api-burst 100 \
			-entrypoint-image fresnel.local/tekton/entrypoint \
			-nop-image fresnel.local/tekton/nop \
			-sidecarlogresults-image fresnel.local/tekton/sidecarlogresults \
			-workingdirinit-image fresnel.local/tekton/workingdirinit \
			-shell-image fresnel.local/tekton/busybox \
			-shell-image-win fresnel.local/tekton/powershell
	)
}

# --- the check run -----------------------------------------------------------

# run_check NAME EXIT_CODE DURATION TIMEOUT_S: create a one-step PipelineRun in
# $CHECK_NS, wait for it to finish; prints "True <reason>" or "False <reason>
# <message>"; fails on timeout.
run_check() {
	local name=$1 code=$2 duration=$3 timeout=$4 st deadline
	kc delete pipelinerun -n "$CHECK_NS" "$name" --ignore-not-found --wait=false >/dev/null
	kc create -f - >/dev/null <<EOF
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: "$name"
  namespace: "$CHECK_NS"
  annotations:
    fresnel.dev/test-exit-code: "$code"
    fresnel.dev/test-duration: "$duration"
spec:
  pipelineSpec:
    tasks:
    - name: "check"
      taskSpec:
        steps:
        - name: "check"
          image: "busybox"
          script: "exit $code"
EOF
	deadline=$((SECONDS + timeout))
	while :; do
		st=$(kc get pipelinerun -n "$CHECK_NS" "$name" \
			-o jsonpath='{range .status.conditions[?(@.type=="Succeeded")]}{.status} {.reason} {.message}{end}' 2>/dev/null || true)
		case $st in
		True* | False*)
			echo "$st"
			return 0
			;;
		esac
		if [ "$SECONDS" -ge "$deadline" ]; then
			log "PipelineRun $CHECK_NS/$name did not finish in ${timeout}s (status: ${st:-none})"
			kc get pipelineruns,taskruns,pods -n "$CHECK_NS" -o wide >&2 || true
			return 1
		fi
		sleep 0.1
	done
}

delete_check_runs() {
	# No garbage collector here: delete the TaskRuns and Pods too.
	kc delete pipelineruns,taskruns,pods -n "$CHECK_NS" --all --wait=false >/dev/null 2>&1 || true
}

# --- subcommands -------------------------------------------------------------

cmd_up() {
	lock
	if healthy; then
		log "already up (run dir $run, apiserver https://127.0.0.1:$API_PORT)"
		return 0
	fi
	if [ -d "$run" ]; then
		log "stale or partial stack in $run; cleaning it up first"
		stop_all
		remove_run_dir
	fi

	# Tekton (knative) binds :8080 for its probes, not configurable (trap 6).
	if port_busy 8080; then
		die "something listens on port 8080 (another stack in another FRESNEL_STACK_DIR?); the Tekton controller needs it"
	fi

	# A failed or interrupted `up` stops what it started; the logs stay.
	trap 'up_failed $?' EXIT
	local t0
	bin=$("$here/build.sh")
	[ -x "$bin/kubectl" ] || die "build.sh gave no kubectl in $bin"
	t0=$(now)

	mkdir -p "$run"/{pids,logs,pki/apiserver,etcd}
	touch "$run/.fresnel-stack"
	echo "$bin" >"$run/bin-dir"

	read -r ETCD_PORT ETCD_PEER_PORT API_PORT TEKTON_METRICS_PORT TEKTON_PROFILING_PORT TEKTON_PROBES_PORT \
		<<<"$(free_ports 6)"
	TOKEN=$(openssl rand -hex 32)
	cat >"$run/state.env" <<EOF
ETCD_PORT=$ETCD_PORT
ETCD_PEER_PORT=$ETCD_PEER_PORT
API_PORT=$API_PORT
TEKTON_METRICS_PORT=$TEKTON_METRICS_PORT
TEKTON_PROFILING_PORT=$TEKTON_PROFILING_PORT
TEKTON_PROBES_PORT=$TEKTON_PROBES_PORT
TOKEN=$TOKEN
EOF
	chmod 600 "$run/state.env"

	# Credentials: an admin token in system:masters, a service-account key pair.
	printf '%s,admin,admin,"system:masters"\n' "$TOKEN" >"$run/pki/token.csv"
	openssl genrsa -out "$run/pki/sa.key" 2048 2>/dev/null
	openssl rsa -in "$run/pki/sa.key" -pubout -out "$run/pki/sa.pub" 2>/dev/null
	chmod 600 "$run/pki/token.csv" "$run/pki/sa.key"

	start etcd \
		--name fresnel --data-dir "$run/etcd" \
		--listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
		--advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
		--listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
		--initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
		--initial-cluster "fresnel=http://127.0.0.1:$ETCD_PEER_PORT" \
		--unsafe-no-fsync --log-level warn
	wait_until etcd 30 "etcd /health" curl -fsS "http://127.0.0.1:$ETCD_PORT/health"

	start kube-apiserver \
		--etcd-servers "http://127.0.0.1:$ETCD_PORT" \
		--bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
		--endpoint-reconciler-type none \
		--cert-dir "$run/pki/apiserver" \
		--token-auth-file "$run/pki/token.csv" \
		--service-account-issuer https://kubernetes.default.svc.cluster.local \
		--service-account-key-file "$run/pki/sa.pub" \
		--service-account-signing-key-file "$run/pki/sa.key" \
		--authorization-mode RBAC \
		--disable-admission-plugins ServiceAccount,TaintNodesByCondition \
		--service-cluster-ip-range 10.96.0.0/16 \
		--profiling=false
	wait_until kube-apiserver 30 "its serving certificate" test -s "$run/pki/apiserver/apiserver.crt"
	write_kubeconfig
	wait_until kube-apiserver 60 "kube-apiserver /readyz" apiserver_ready
	log "kube-apiserver ready at https://127.0.0.1:$API_PORT ($(since "$t0")s)"

	start kube-scheduler --kubeconfig "$run/kubeconfig" --leader-elect=false --secure-port 0

	# The fake node and kwok first: the node turns Ready while the Tekton
	# objects go in.
	kc_apply -f - <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $NODE_NAME
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: $NODE_NAME
    kubernetes.io/os: linux
    kubernetes.io/role: agent
    type: kwok
EOF
	write_kwok_stages
	start kwok \
		--kubeconfig "$run/kubeconfig" \
		--manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
		--config "$run/kwok-stages.yaml" \
		--cidr 10.244.0.0/16 --node-ip 127.0.0.1

	apply_tekton
	# Nothing creates default ServiceAccounts here (trap 3).
	kc_apply -f - <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: $CHECK_NS
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: default
  namespace: default
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: default
  namespace: $CHECK_NS
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: default
  namespace: tekton-pipelines
EOF
	log "Tekton objects applied ($(since "$t0")s)"
	start_tekton

	wait_until kwok 30 "node $NODE_NAME Ready" node_ready
	log "node $NODE_NAME Ready ($(since "$t0")s)"
	alive kube-scheduler || fail kube-scheduler "kube-scheduler exited"
	alive tekton-controller || fail tekton-controller "tekton-controller exited"

	local t1 result
	t1=$(now)
	log "checking that a PipelineRun succeeds"
	result=$(run_check stack-check 0 0s 90) || fail tekton-controller "the check PipelineRun did not finish"
	case $result in
	True*) ;;
	*)
		kc get taskruns,pods -n "$CHECK_NS" -o wide >&2 || true
		tail -n 20 "$run/logs/kwok.log" | cut -c1-400 | sed 's/^/stack:   kwok | /' >&2
		fail tekton-controller "the check PipelineRun did not succeed: $result"
		;;
	esac
	delete_check_runs
	log "check PipelineRun succeeded in $(since "$t1")s"
	log "up in $(since "$t0")s; RSS $(rss_total) MB; eval \"\$($0 env)\" to use it"
	trap - EXIT
}

up_failed() {
	[ "$1" -ne 0 ] || return 0
	log "up failed; stopping what it started (logs stay in $run/logs)"
	stop_all
}

node_ready() {
	[ "$(kc get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}

rss_of() { # COMPONENT -> MB
	local pid
	if ! alive "$1"; then
		echo 0
		return
	fi
	pid=$(pid_of "$1")
	ps -p "$pid" -o rss= | awk '{ printf "%d", $1 / 1024 }'
}

rss_total() {
	local c t=0
	for c in "${COMPONENTS[@]}"; do
		t=$((t + $(rss_of "$c")))
	done
	echo "$t"
}

cmd_down() {
	lock
	if [ ! -d "$run" ]; then
		log "nothing to stop ($run does not exist)"
		return 0
	fi
	stop_all
	remove_run_dir
	log "down; removed $run (binaries stay in the build cache)"
}

cmd_env() {
	load_state || die "no stack in $run; run \`$0 up\` first"
	[ -f "$run/kubeconfig" ] || die "no kubeconfig in $run; run \`$0 up\`"
	printf 'export KUBECONFIG=%q\n' "$run/kubeconfig"
	printf 'export FRESNEL_STACK_BIN=%q\n' "$bin"
	printf 'export FRESNEL_STACK_DIR=%q\n' "$run"
	printf 'export FRESNEL_STACK_APISERVER=%q\n' "https://127.0.0.1:$API_PORT"
	# shellcheck disable=SC2016 # $PATH expands where the caller evals this
	printf 'export PATH=%q:"$PATH"\n' "$bin"
}

cmd_status() {
	if ! load_state 2>/dev/null; then
		echo "stack: down (no state in $run)"
		return 1
	fi
	local c pid ok=0 extra
	echo "run dir:   $run"
	echo "binaries:  $bin"
	echo "apiserver: https://127.0.0.1:$API_PORT"
	for c in "${COMPONENTS[@]}"; do
		pid=$(pid_of "$c" || true)
		case $c in
		etcd) extra="http://127.0.0.1:$ETCD_PORT" ;;
		kube-apiserver) extra="https://127.0.0.1:$API_PORT" ;;
		tekton-controller) extra="metrics http://127.0.0.1:$TEKTON_METRICS_PORT/metrics" ;;
		*) extra="" ;;
		esac
		if alive "$c"; then
			printf '  %-18s running  pid %-7s rss %4s MB  %s\n' "$c" "$pid" "$(rss_of "$c")" "$extra"
		else
			printf '  %-18s STOPPED  (pid file: %s)  log %s\n' "$c" "${pid:-none}" "$run/logs/$c.log"
			ok=1
		fi
	done
	if alive kube-apiserver && apiserver_ready; then
		echo "  apiserver /readyz ok; total rss $(rss_total) MB"
		echo "  PipelineRuns: $(kc get pipelineruns -A --no-headers 2>/dev/null | wc -l | tr -d ' ')"
	else
		echo "  apiserver not ready"
		ok=1
	fi
	return $ok
}

cmd_check() {
	local code=${1:-0} duration=${2:-0s} t0 result
	load_state || die "no stack in $run; run \`$0 up\` first"
	t0=$(now)
	result=$(run_check "check-$(date +%s)-$$" "$code" "$duration" 120) || exit 1
	echo "$result ($(since "$t0")s)"
}

usage() {
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

case ${1:-} in
up) cmd_up ;;
down) cmd_down ;;
env) cmd_env ;;
status) cmd_status ;;
check)
	shift
	cmd_check "$@"
	;;
*) usage ;;
esac
