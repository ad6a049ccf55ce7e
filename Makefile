# Makesafe: `make run` serves the app with demo data; `make test` runs every check.
# Both set up everything they need first (virtualenv, packages, PostgreSQL, Chromium for tests).

SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first Python 3.11+ on PATH.
PYTHON ?= $(shell for p in python3 python3.11 python3.12 python3.13; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && echo $$p && break; done)
VENV := .venv
PY := $(VENV)/bin/python
REQS_HASH := $(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
STAMP := $(VENV)/.installed-$(REQS_HASH)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test lint db db-stop db-clean venv browser backup restore clean bench bench-load audit

help:
	@echo "make run   - set up and serve Makesafe with demo data on http://$(HOST):$(PORT)"
	@echo "make test  - set up, then lint and run the whole test suite (browser tests included)"
	@echo "make lint  - ruff, the import layers (import-linter), Django's checks, migrations check"
	@echo "make backup / make restore FILE=... - pg_dump -Fc / pg_restore of the database"
	@echo "make bench - 1M then 5M generated visits: every page against its floor (bench/results.md)"
	@echo "make bench-load - 50 officers log 20 visits each over HTTP (gunicorn)"
	@echo "make audit - ruff's security rules and the pinned dependency list"
	@echo "make db-stop - stop the embedded PostgreSQL"
	@echo "make db-clean - stop the embedded PostgreSQL and delete it with its data"

$(STAMP): requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Makesafe needs Python 3.11 or newer on PATH."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(STAMP)

# DATABASE_URL if set, else this checkout's embedded PostgreSQL: in .pg/, or as root in
# /var/lib/makesafe/<checkout>-<hash>/ (see tools/localdb.py).
db: venv
	@$(PY) -m tools.localdb start

db-stop: venv
	@$(PY) -m tools.localdb stop

# Never touches DATABASE_URL's server: only this checkout's embedded cluster.
db-clean: venv
	@$(PY) -m tools.localdb clean

# Debian's Chromium drives the browser tests; Playwright never downloads a browser here.
browser:
	@if [ -n "$$CHROMIUM_PATH" ] || command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "The browser tests need Chromium: install it (sudo apt-get install chromium)"; \
		echo "or set CHROMIUM_PATH to a Chromium or Chrome binary."; exit 1; \
	fi

run: db
	DEBUG=1 $(PY) manage.py migrate --noinput
	@DEBUG=1 $(PY) manage.py seed_demo
	@echo
	@echo "Makesafe is starting on http://$(HOST):$(PORT)/ - sign in with a demo login above."
	@echo "Press Ctrl+C to stop. The database keeps running: 'make db-stop' stops it."
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

lint: db
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

test: venv browser db lint
	$(PY) -m pytest

# Generates 1M (then 5M) visits in a separate <database>_bench database, measures every
# page against its SQL floor, the admin and a plain view, checks two app servers, and writes
# bench/results.md. wrk (Debian's) measures throughput; without it a bounded Python client does.
bench: db
	@command -v wrk >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian's wrk for the throughput figure..."; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 || \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || \
			echo "wrk could not be installed: a Python client measures throughput instead."; \
		else echo "wrk not found: a Python client measures throughput instead."; fi; }
	$(PY) bench/run.py

# docs/security.md check 27: 50 officers log 20 visits each over HTTP through gunicorn (a benchmark, not a test).
bench-load: db
	$(PY) bench/load.py

# Static security checks (ruff's bandit rules) and the pinned dependency list.
audit: venv
	$(VENV)/bin/ruff check --select S .
	@echo "Pinned runtime dependencies (requirements.txt):"
	@grep -v '^#' requirements.txt
	@echo "Installed (what the test run used):"
	@$(PY) -m pip freeze --disable-pip-version-check

backup: db
	@mkdir -p backups
	$(PY) -m tools.localdb dump backups/makesafe-$$(date +%Y%m%d-%H%M%S).dump

restore: db
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/makesafe-....dump"; exit 1; }
	$(PY) -m tools.localdb restore $(FILE)

clean:
	@if [ -x $(PY) ]; then $(PY) -m tools.localdb clean; fi
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
