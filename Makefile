# fresnel: webhook router for Tekton. `make help` lists the targets.
SHELL := /usr/bin/env bash
GO ?= go
BIN := bin/fresnel
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X github.com/fresnel-ci/fresnel/pkg/version.Version=$(VERSION) -X github.com/fresnel-ci/fresnel/pkg/version.Commit=$(COMMIT)
UNIT_PKGS = $(shell $(GO) list ./... | grep -v -e /test/e2e -e /test/fault)

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Build bin/fresnel
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/fresnel

# The image: ghcr.io/fresnel-ci/fresnel:<version without v>, the chart's default.
IMAGE ?= ghcr.io/fresnel-ci/fresnel
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
IMAGE_FLAGS = -image $(IMAGE) -version $(VERSION) -commit $(COMMIT) -epoch $(SOURCE_DATE_EPOCH) -out bin/image

.PHONY: image
image: ## Build the multi-arch OCI image (amd64, arm64) into bin/image, no daemon; IMAGE=repo[:tag]
	$(GO) run ./cmd/fresnel-image $(IMAGE_FLAGS)

.PHONY: image-push
image-push: ## Build the image and push it to IMAGE with the credentials of the docker config
	$(GO) run ./cmd/fresnel-image $(IMAGE_FLAGS) -push

.PHONY: test
test: stack-build lint unit fuzz e2e fault ## All tests: lint, unit tests, fuzzing for a short fixed time, and the end-to-end suite on the local stack, then the fault suite

.PHONY: unit
unit: ## Unit tests (with the race detector)
	$(GO) test -race -count=1 -timeout 30m $(UNIT_PKGS)

.PHONY: e2e
e2e: ## End-to-end tests against the real local stack (built once, cached)
	$(GO) test -count=1 -timeout 60m -v ./test/e2e/ 2>&1 | tee e2e.log | grep -E '^(=== RUN|--- |PASS|FAIL|ok|panic)|e2e:|^ +[A-Za-z0-9_]+_test\.go:[0-9]+:' ; exit $${PIPESTATUS[0]}

.PHONY: fault
fault: ## Fault suite on the local stack: kill -9, apiserver outage, replayed deliveries, slow and idle clients
	$(GO) test -count=1 -timeout 20m -v ./test/fault/ 2>&1 | tee fault.log | grep -E '^(=== RUN|--- |PASS|FAIL|ok|panic)|fault:|^ +[A-Za-z0-9_]+_test\.go:[0-9]+:' ; exit $${PIPESTATUS[0]}

FUZZTIME ?= 5s

.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME (5s) each, one at a time; corpora in testdata/fuzz
	@for pkg in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
		for target in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$pkg/*_test.go); do \
			echo "fuzz $$pkg $$target"; \
			$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; done

.PHONY: bench
bench: ## Benchmarks: verify+parse+select per event, and a load run on the local stack; the controller over 50,000 finished runs (RSS, finish-to-report latency)
	$(GO) test -run '^$$' -bench . -benchmem ./test/bench/ ./providers/... ./triggers/... ./pkg/...
	$(GO) run ./test/bench/load
	$(GO) run ./test/bench/finished

GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(HOME)/.cache/fresnel-tools/golangci-lint-$(GOLANGCI_LINT_VERSION)/golangci-lint

$(GOLANGCI_LINT):
	GOBIN=$(dir $@) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

.PHONY: lint
lint: $(GOLANGCI_LINT) lint-chart ## go vet, a gofmt check, golangci-lint (pinned, installed once) with the layering rules of .golangci.yml, and helm lint/template of the chart
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GOLANGCI_LINT) run ./...

CHART := charts/fresnel
# The oldest Kubernetes the chart supports (its kubeVersion) and the stack's.
CHART_KUBE_VERSIONS := 1.29.0 $(shell sed -n 's/^KUBE_VERSION=//p' test/stack/build.sh)

.PHONY: lint-chart
lint-chart: ## helm lint --strict and helm template of charts/fresnel, default and ci/ values (the stack's helm)
	@helm=$$(test/stack/build.sh helm)/helm; \
	for values in "" $(CHART)/ci/*-values.yaml; do \
		out=$$($$helm lint --strict $(CHART) $${values:+-f $$values}) || { echo "$$out"; exit 1; }; \
		for kube in $(CHART_KUBE_VERSIONS); do \
			$$helm template fresnel $(CHART) $${values:+-f $$values} --kube-version $$kube >/dev/null || exit 1; \
		done; \
	done; echo "chart: lint and template passed"

.PHONY: demo
# The demo builds the fresnel it runs itself (as the e2e suite does, so they
# share the build cache); bin/fresnel, built with other flags, would only
# compile everything a second time on a cold machine.
demo: ## Bring up the local stack, run fresnel and send sample webhooks from each SCM
	$(GO) run ./test/demo $(ARGS)

.PHONY: stack-build
stack-build: ## Build the local stack's binaries and the chart tests' (helm, kube-controller-manager), all at once, once
	test/stack/build.sh helm kube-controller-manager >/dev/null

.PHONY: stack-up
stack-up: ## Start the local stack (etcd, kube-apiserver, Tekton, kwok)
	test/stack/stack.sh up

.PHONY: stack-down
stack-down: ## Stop the local stack
	test/stack/stack.sh down

.PHONY: clean
clean: ## Remove build output (the stack's binary cache stays)
	rm -rf bin e2e.log fault.log
