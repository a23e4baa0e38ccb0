# ChatPop developer commands. `make help` lists them.
SHELL := /bin/bash
NPM ?= npm

.PHONY: help install build run test lint bench image chart-lint manifests-check clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund

install: node_modules/.package-lock.json ## install dependencies (npm ci) when package files changed

build: install ## compile TypeScript to dist/
	$(NPM) run build

run: build ## build and start the server on embedded defaults (SQLite + in-memory cache)
	$(NPM) start

test: build ## run the whole test suite (starts its own Redis and PostgreSQL)
	$(NPM) test

lint: install ## type-check everything
	$(NPM) run lint

bench: build ## measure ChatPop against raw ceilings; writes bench/results.json
	$(NPM) run bench

clean: ## remove build output
	rm -rf dist
