# Build, test and demo entry points. `make help` lists the targets.
#
# Targets that need Temporal start a local dev server on TEMPORAL_ADDRESS
# (127.0.0.1:7233 by default) through scripts/temporal-server.sh, or reuse a
# server that already responds there, and stop only a server they started.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO ?= go
SERVER := scripts/temporal-server.sh

TEMPORAL_ADDRESS ?= 127.0.0.1:7233
export TEMPORAL_ADDRESS

# workflowcheck flags non-deterministic calls, such as time.Now, in workflow
# code. Its module does not depend on the Temporal SDK. v0.6.0 builds with Go
# 1.26.8 and flags time.Now in a workflow written against SDK v1.51.0.
WORKFLOWCHECK_VERSION := v0.6.0

# Inputs of `make demo`: the directory to inventory and the JSON Lines output.
DIR ?= $(shell $(GO) env GOROOT)/src/crypto
OUT ?= out/fileinfo.jsonl

.PHONY: help test vet workflowcheck go-test compose-config tools build server \
	server-stop server-status demo

help: ## List the targets.
	@awk 'BEGIN { FS = ":.*## " } /^[a-z-]+:.*## / { printf "  %-16s %s\n", $$1, $$2 }' \
		$(MAKEFILE_LIST)

test: tools vet workflowcheck compose-config go-test ## Run every check that CI runs.

vet: ## Run go vet on every package.
	$(GO) vet ./...

workflowcheck: ## Check workflow code for non-deterministic calls.
	$(GO) run go.temporal.io/sdk/contrib/tools/workflowcheck@$(WORKFLOWCHECK_VERSION) ./...

# A server that this target starts keeps its state in memory, so workflows
# left over from an earlier run cannot reach the workers of this one.
go-test: tools ## Run the tests with the race detector against a dev server.
	TEMPORAL_DB_FILE= $(SERVER) run $(GO) test -race -count=1 ./...

compose-config: ## Validate docker-compose.yml (installs docker-compose if missing).
	scripts/install-docker-compose.sh
	docker-compose config -q

tools: ## Build the Temporal CLI into .tools/bin unless it is there.
	$(SERVER) install

build: ## Build bin/worker and bin/starter.
	$(GO) build -o bin/ ./cmd/worker ./cmd/starter

server: tools ## Start a dev server in the background (Web UI on the gRPC port + 1000).
	$(SERVER) start

server-stop: ## Stop the dev server that `make server` started.
	$(SERVER) stop

server-status: ## Print whether a Temporal server responds on TEMPORAL_ADDRESS.
	$(SERVER) status

demo: tools build ## Inventory DIR with the fileinfo pipeline on Temporal into OUT.
	$(SERVER) run scripts/demo.sh "$(DIR)" "$(OUT)"

# Inputs of `make bench`, which also inventories DIR: the measured rounds and
# the items that each workflow runs at once.
BENCH_ROUNDS ?= 3
BENCH_CONCURRENCY ?= 8

.PHONY: bench
bench: tools ## Time the fileinfo Map on Temporal against a hand-written workflow.
	$(GO) build -o bin/bench ./bench
	$(SERVER) run bin/bench -dir "$(DIR)" -rounds $(BENCH_ROUNDS) \
		-concurrency $(BENCH_CONCURRENCY)
