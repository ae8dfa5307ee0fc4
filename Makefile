# Todo Assistant — the two commands that matter: `make up` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
# Resolved when each recipe line runs, so a uv installed by bootstrap is found.
UV = $$(command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: help bootstrap up test test-python test-frontend test-reliability lint format bench

help:
	@echo "make up     install what is missing, then run every service locally (Ctrl-C stops all)"
	@echo "make test   install what is missing, then run every test (unit, API on PostgreSQL, cross-service, browser)"
	@echo "make test-reliability   only the fault-injection suite (SIGKILLs under load, tests/reliability)"
	@echo "make lint   ruff lint + format check, mypy --strict, the frontend linter"
	@echo "make bench  run the benchmarks in bench/ (history, MCP, chat; JSON under bench/results/)"

bootstrap:
	@scripts/bootstrap.sh

up: bootstrap
	@scripts/bootstrap.sh frontend frontend_build
	@$(UV) run --frozen python scripts/up.py

test: bootstrap lint
	@scripts/bootstrap.sh postgres
	@# The browser tests under tests/browser need the built frontend and Chromium before pytest runs.
	@scripts/bootstrap.sh frontend frontend_build browser
	@scripts/bootstrap.sh interop
	@$(UV) run --frozen pytest
	@if [ -f frontend/package.json ]; then $(MAKE) --no-print-directory test-frontend; fi

# The fault-injection suite alone (it also runs in `make test`): real processes, PostgreSQL, SIGKILL.
test-reliability: bootstrap
	@scripts/bootstrap.sh postgres
	@$(UV) run --frozen pytest tests/reliability

test-frontend:
	@scripts/bootstrap.sh frontend
	@cd frontend && npm run --silent typecheck && npm run --silent test

lint:
	@$(UV) run --frozen ruff check .
	@$(UV) run --frozen ruff format --check .
	@$(UV) run --frozen mypy
	@if [ -f frontend/package.json ]; then scripts/bootstrap.sh frontend && cd frontend && npm run --silent lint; fi

format:
	@$(UV) run --frozen ruff check --fix .
	@$(UV) run --frozen ruff format .

bench: bootstrap
	@scripts/bootstrap.sh postgres
	@$(UV) run --frozen python bench/history_load.py
	@$(UV) run --frozen python bench/mcp_calls.py
	@$(UV) run --frozen python bench/chat_load.py
