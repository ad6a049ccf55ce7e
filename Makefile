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
BENCH_STAMP := $(VENV)/.bench-installed-$(shell cat requirements-bench.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test lint db db-stop db-clean venv browser pdf-libs backup restore clean bench bench-load audit

help:
	@echo "make run   - set up and serve Makesafe with demo data on http://$(HOST):$(PORT)"
	@echo "make test  - set up, then lint and run the whole test suite (browser tests included)"
	@echo "make lint  - ruff, the import layers (import-linter), Django's checks, migrations check"
	@echo "make backup / make restore FILE=... - pg_dump -Fc / pg_restore of the database"
	@echo "make bench - 1M then 5M generated visits: pages, their queries and latency under load"
	@echo "             (locust, 200 users through gunicorn); writes bench/results.md"
	@echo "make bench-load - 50 officers log 20 visits each through gunicorn (locust)"
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

# WeasyPrint draws the PDF letters, notices and reports with Debian's Pango and fonts (the app
# imports it, so `make run` needs them as well as the tests).
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core
pdf-libs:
	@if ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' \
		&& fc-list 2>/dev/null | grep -qi dejavu; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Pango and fonts for the PDF documents (WeasyPrint)..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			$(PDF_PACKAGES) >/dev/null; \
	else \
		echo "The PDF documents need Pango and a font: install them"; \
		echo "(sudo apt-get install $(PDF_PACKAGES))."; exit 1; \
	fi

run: pdf-libs db
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

# The tests create databases and roles: as DATABASE_URL's role, or the embedded server's superuser
# (`make run`'s app connects as its runtime role, which may not). They run in one worker per core
# (pytest-xdist), each with a test database of its own: much of a test's time is spent waiting
# on PostgreSQL and Chromium. TEST_WORKERS=0 runs them in this one process.
TEST_WORKERS ?= auto
test: venv browser pdf-libs db lint
	DATABASE_URL="$${DATABASE_URL:-$$($(PY) -m tools.localdb url)}" $(PY) -m pytest -n $(TEST_WORKERS)

# The benchmark's load generator (locust), kept out of requirements-dev.txt: make test and CI
# do not install it.
$(BENCH_STAMP): requirements-bench.txt $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	@rm -f $(VENV)/.bench-installed-*
	@touch $@

# Generates 1M (then 5M) visits in a separate <database>_bench database, measures every page
# (against its SQL floor, its own queries, the admin), latency under load with locust through
# gunicorn, the logging check and two app servers, and writes bench/results.md.
bench: db $(BENCH_STAMP)
	$(PY) bench/run.py

# docs/security.md check 27: 50 officers log 20 visits each through gunicorn (locust).
bench-load: db $(BENCH_STAMP)
	$(PY) bench/run.py --load-only

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
