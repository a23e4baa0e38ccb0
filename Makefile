# ChatPop developer commands. `make help` lists them.
SHELL := /bin/bash
NPM ?= npm

.PHONY: help install build browser run test test-one lint bench image chart-lint manifests-check render-k8s clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund

install: node_modules/.package-lock.json ## install dependencies (npm ci) when package files changed

build: install ## compile TypeScript to dist/
	$(NPM) run build

run: build ## build and start the server on embedded defaults (SQLite + in-memory cache)
	$(NPM) start

test: build browser ## run the whole test suite (starts its own Redis and PostgreSQL)
	$(NPM) test

test-one: build ## run chosen test files: make test-one T=chat/history (or T="chat/history chat/pins")
	@if [ -z "$(T)" ]; then echo 'usage: make test-one T=chat/history  (a file under test/, without .test.ts)'; exit 2; fi
	$(ONE_MOCHA) --require dist/test/support/global-fixtures.js $(patsubst %,dist/test/%.test.js,$(T))

# The dashboard test drives Debian's Chromium; installed when we can (root with apt), skipped otherwise.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium not installed: the dashboard browser test will skip"; }

lint: install ## type-check, then ESLint (layers, faces, cycles, line length), Prettier (--check) and dependency-cruiser (no cycle, types included)
	$(NPM) run lint

bench: build ## measure ChatPop against raw ceilings; writes bench/results.json
	$(NPM) run bench

IMAGE ?= chatpop
VERSION ?= $(shell node -p "require('./package.json').version")
ONE_MOCHA = npx mocha --no-config --require dist/test/support/global-hooks.js --timeout 60000 --exit

image: ## build the container image (needs a Docker engine)
	docker build -t $(IMAGE):$(VERSION) .

chart-lint: build ## helm lint when helm is installed, plus the chart's schema and template checks (rendered by tools/chart-render)
	@if command -v helm >/dev/null 2>&1; then \
	  helm lint charts/chatpop -f charts/chatpop/ci/lint-values.yaml && \
	  helm template chatpop charts/chatpop -f charts/chatpop/ci/lint-values.yaml >/dev/null; \
	else echo "helm not installed: helm lint skipped (schema and template checks still run)"; fi
	$(ONE_MOCHA) dist/test/deploy/chart.test.js

manifests-check: build ## validate k8s/ and the chart against the Kubernetes schema, and that k8s/ is the chart's current rendering
	$(ONE_MOCHA) dist/test/tools/chart-render.test.js dist/test/deploy/k8s-rendering.test.js dist/test/deploy/manifests.test.js \
	  dist/test/deploy/chart-manifests-agreement.test.js dist/test/deploy/drain.test.js

render-k8s: install ## write k8s/base and k8s/jobs/*/job.yaml from charts/chatpop with k8s/values.yaml
	$(NPM) run render-k8s

clean: ## remove build output
	rm -rf dist
