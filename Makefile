# SnapLeads — the two commands: `make run` and `make test`. Everything else is for development.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

export PATH := $(CURDIR)/tools/node_modules/.bin:$(CURDIR)/.venv/bin:$(PATH)
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false

.PHONY: help setup services run test lint fmt bench clean distclean extension extension-test

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup:  ## install uv, .venv (uv.lock) and Node 22 + Bun (tools/); fast when nothing changed
	@scripts/setup.sh

services:  ## make sure PostgreSQL, Redis and Chromium are there (apt-get when missing)
	@scripts/services.sh

run: setup  ## migrate, seed the demo login and serve the app on http://localhost:3000 (PORT=...)
	@scripts/run.sh

test: setup services  ## lint + pytest on PostgreSQL/Redis, on SQLite, then browser tests (PYTEST_ARGS=...)
	@scripts/test.sh

lint: setup  ## ruff check, ruff format --check, pyright, import contracts (runs all four, then fails)
	@rc=0; \
	for cmd in "ruff check ." "ruff format --check ." "pyright" "lint-imports"; do \
		echo "== $$cmd"; $$cmd || rc=1; \
	done; exit $$rc

fmt: setup  ## ruff --fix + ruff format
	ruff check --fix .
	ruff format .

bench: setup  ## run every bench/*.py (benchmarks print their figures)
	@shopt -s nullglob; files=(bench/*.py); \
	if (( $${#files[@]} == 0 )); then echo "no benchmarks in bench/"; exit 0; fi; \
	for f in "$${files[@]}"; do echo "== $$f"; python "$$f"; done

extension:  ## build the Chrome extension zips (Load unpacked + Web Store) into dist/extension/
	@python3 extension/build.py

extension-test: setup  ## extension unit tests (node --test) then its browser tests (tests/extension)
	cd extension && npm ci --no-audit --no-fund && npm test
	python -m pytest tests/extension

clean:  ## remove build output and caches (keeps .venv, tools/node_modules and data/)
	rm -rf .web .states .pytest_cache .ruff_cache test-results
	find . -path ./.venv -prune -o -path ./tools -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf

distclean: clean  ## also remove .venv, .tools and tools/node_modules (next `make setup` reinstalls)
	rm -rf .venv .tools tools/node_modules
