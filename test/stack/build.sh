#!/usr/bin/env bash
# Builds the local stack's binaries from their Go modules, once, into a cache
# keyed by versions and the Go version. Prints the cache directory.
#
#   test/stack/build.sh [extra...]   build what is missing, print the bin dir
#
# Always: etcd, kube-apiserver, kube-scheduler, kubectl, kwok and the Tekton
# controller (what stack.sh up runs). Extras, built only when named: helm,
# kube-controller-manager (the chart tests). Independent modules build at
# the same time, and the Kubernetes commands in one go build, so that their
# shared packages compile once and links overlap compiles. Binaries carry no
# symbol table or DWARF (-s -w): nothing here debugs them, and they link
# faster.
set -euo pipefail

ETCD_VERSION=v3.7.3
KUBE_VERSION=v1.37.2
KUBE_STAGING_VERSION=v0.37.2
KWOK_VERSION=v0.8.0
TEKTON_VERSION=v1.15.1
HELM_VERSION=v3.21.4

cache_root=${FRESNEL_E2E_CACHE:-$HOME/.cache/fresnel-e2e}
go_version=$(go env GOVERSION)
bin_dir="$cache_root/bin-etcd$ETCD_VERSION-kube$KUBE_VERSION-kwok$KWOK_VERSION-tekton$TEKTON_VERSION-$go_version"
work="$cache_root/src"

log() { echo "stack/build: $*" >&2; }

# wrapper_module DIR NAME: an empty module to build a dependency's commands in.
wrapper_module() {
	mkdir -p "$1"
	if [ ! -f "$1/go.mod" ]; then
		printf 'module %s\n\ngo 1.25\n' "$2" >"$1/go.mod"
		printf 'package main\n\nfunc main() {}\n' >"$1/main.go"
	fi
}

build_etcd() {
	local dir="$work/etcd"
	wrapper_module "$dir" fresnel.local/etcd
	(cd "$dir" && go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >&2 &&
		go build -trimpath -ldflags "-s -w" -o "$bin_dir/etcd.tmp" go.etcd.io/etcd/server/v3 >&2)
	mv "$bin_dir/etcd.tmp" "$bin_dir/etcd"
}

# build_kube CMD...: the named Kubernetes commands in one go build.
build_kube() {
	local dir="$work/kube" out="$bin_dir/.kube" cmd pkgs=()
	kube_module "$dir"
	for cmd in "$@"; do
		pkgs+=("k8s.io/kubernetes/cmd/$cmd")
	done
	rm -rf "$out" && mkdir -p "$out"
	(cd "$dir" && go build -trimpath -ldflags "-s -w $(kube_ldflags)" -o "$out/" "${pkgs[@]}" >&2)
	for cmd in "$@"; do
		mv "$out/$cmd" "$bin_dir/$cmd"
	done
}

# kube_ldflags: stamp the release version as Kubernetes' own build does
# (hack/lib/version.sh); unstamped binaries report v0.0.0-master, which
# version checks (Tekton's KUBERNETES_MIN_VERSION, kubectl skew) reject.
kube_ldflags() {
	local v=${KUBE_VERSION#v} pkg flags=""
	local major=${v%%.*} minor
	minor=${v#*.}
	minor=${minor%%.*}
	for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
		flags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
	done
	echo "$flags"
}

# kube_module DIR: a wrapper module requiring k8s.io/kubernetes, with each of
# its staging modules (required as v0.0.0 and replaced by ./staging/src/...
# in its own go.mod) pointed at the published release. Only the staging
# modules: k8s.io/utils and k8s.io/kube-openapi are real pseudo-versions.
kube_module() {
	local dir=$1
	# Start from a clean go.mod so that stale replaces cannot linger.
	rm -f "$dir/go.mod"
	wrapper_module "$dir" fresnel.local/kube
	(
		cd "$dir"
		local gomod
		gomod=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')
		local staging
		staging=$(awk '/^\t*k8s\.io\/[a-z0-9-]+ => \.\/staging\// {print $1}' "$gomod" | sort -u)
		[ -n "$staging" ] || { log "no staging modules found in $gomod"; exit 1; }
		local args=()
		for m in $staging; do
			args+=(-replace "$m=$m@$KUBE_STAGING_VERSION")
		done
		go mod edit "${args[@]}"
		go get "k8s.io/kubernetes/cmd/kube-apiserver@$KUBE_VERSION" \
			"k8s.io/kubernetes/cmd/kube-scheduler@$KUBE_VERSION" \
			"k8s.io/kubernetes/cmd/kube-controller-manager@$KUBE_VERSION" \
			"k8s.io/kubernetes/cmd/kubectl@$KUBE_VERSION" >&2
	)
}

build_kwok() {
	GOBIN="$bin_dir/.kwok" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" >&2
	mv "$bin_dir/.kwok/kwok" "$bin_dir/kwok"
}

build_tekton() {
	local dir="$work/tekton"
	wrapper_module "$dir" fresnel.local/tekton
	(cd "$dir" && go get "github.com/tektoncd/pipeline/cmd/controller@$TEKTON_VERSION" >&2 &&
		go build -trimpath -ldflags "-s -w" -o "$bin_dir/tekton-controller.tmp" github.com/tektoncd/pipeline/cmd/controller >&2)
	mv "$bin_dir/tekton-controller.tmp" "$bin_dir/tekton-controller"
}

# build_helm: the Helm CLI, for rendering and installing charts/fresnel in
# the e2e suite.
build_helm() {
	GOBIN="$bin_dir/.helm" go install -trimpath -ldflags "-s -w" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
	mv "$bin_dir/.helm/helm" "$bin_dir/helm"
}

# lane NAME CMD...: run CMD in the background, its output in a log, and
# note it; wait_lanes waits for them all and fails if any did.
lanes=()
lane() {
	local name=$1
	shift
	log "building $name (once; cached in $bin_dir)"
	(
		start=$(date +%s)
		"$@" >"$bin_dir/.logs/$name.log" 2>&1
		log "built $name in $(($(date +%s) - start))s"
	) &
	lanes+=("$name:$!")
}

wait_lanes() {
	local failed=0 entry
	for entry in "${lanes[@]}"; do
		if ! wait "${entry#*:}"; then
			log "building ${entry%%:*} failed; its log ($bin_dir/.logs/${entry%%:*}.log) ends:"
			tail -n 30 "$bin_dir/.logs/${entry%%:*}.log" >&2
			failed=1
		fi
	done
	return $failed
}

missing() { [ ! -x "$bin_dir/$1" ]; }

for extra in "$@"; do
	case $extra in
	helm | kube-controller-manager) ;;
	*) log "unknown extra '$extra' (helm, kube-controller-manager)"; exit 2 ;;
	esac
done

mkdir -p "$bin_dir/.logs" "$work"
start=$(date +%s)
kube=()
for cmd in kube-apiserver kube-scheduler kubectl; do
	missing "$cmd" && kube+=("$cmd")
done
for extra in "$@"; do
	if [ "$extra" = kube-controller-manager ] && missing "$extra"; then
		kube+=("$extra")
	fi
done
if [ ${#kube[@]} -gt 0 ]; then lane kubernetes build_kube "${kube[@]}"; fi
if missing etcd; then lane etcd build_etcd; fi
if missing kwok; then lane kwok build_kwok; fi
if missing tekton-controller; then lane tekton-controller build_tekton; fi
for extra in "$@"; do
	if [ "$extra" = helm ] && missing helm; then lane helm build_helm; fi
done
if [ ${#lanes[@]} -gt 0 ]; then
	wait_lanes
	log "built ${#lanes[@]} parts in $(($(date +%s) - start))s"
fi
echo "$bin_dir"
