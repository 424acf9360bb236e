# SalesOps developer commands. `make run` and `make test` are the two a newcomer needs.
SHELL := /bin/bash
PYTHON_BIN ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

VENDOR := static/vendor

.PHONY: run prod drills loadtest test lint typecheck format worker beat static messages bench clean install install-dev browser

$(PY):
	$(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Front-end libraries come from the npm registry (package-lock.json) and are copied
# into static/vendor; no page loads anything from another host.
$(VENDOR)/.copied: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/bootstrap $(VENDOR)/bootstrap-icons/fonts $(VENDOR)/htmx $(VENDOR)/echarts
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/bootstrap/
	cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css $(VENDOR)/bootstrap-icons/
	cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff $(VENDOR)/bootstrap-icons/fonts/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	cp node_modules/bootstrap/LICENSE $(VENDOR)/bootstrap/LICENSE
	cp node_modules/bootstrap-icons/LICENSE $(VENDOR)/bootstrap-icons/LICENSE
	cp node_modules/htmx.org/LICENSE $(VENDOR)/htmx/LICENSE
	cp node_modules/echarts/LICENSE $(VENDOR)/echarts/LICENSE
	touch $@

static: $(VENDOR)/.copied

# Debian's chromium for the Playwright browser tests (Playwright's own download is not used).
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else echo "chromium or a CJK font missing: run 'sudo apt-get install chromium fonts-wqy-microhei' (browser tests will be skipped without chromium)"; fi; }

run: install static
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	@echo "SalesOps: http://127.0.0.1:$(PORT)/  (web, Celery worker and beat: Ctrl-C stops all three)"
	DEBUG=1 EMBEDDED_WORKER=1 WEB_PORT=$(PORT) $(VENV)/bin/honcho -f Procfile.embedded start

# Production setup on this machine: PostgreSQL and Redis (started if down), gunicorn with
# WhiteNoise, a Celery worker and beat from the Procfile (docs/deploy.md). Ctrl-C stops all.
prod: install static
	PORT=$(PORT) bash scripts/prod.sh

# Failure drills (tests marked `drill`): real workers, beat, gunicorn and a private
# redis-server on loopback against a PostgreSQL test database; each prints what it checked.
drills: install-dev static
	source scripts/services.sh && ensure_postgres
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/salesops_drills \
	  $(PY) -m pytest -m drill -s -p no:randomly --create-db salesops/tests/test_drills.py

# Load test on loopback: the production setup, then locust's mix (bounded users and time);
# p50/p95/p99 per page and errors in var/loadtest/report-<time>.txt. LOADTEST_RECOMPUTE=1
# adds the same mix during full KPI recomputes and an import (docs/deploy.md, "Load").
loadtest: install-dev static
	bash scripts/loadtest.sh

test: install-dev static browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -m "not drill" $(PYTEST_ARGS)

lint: install-dev typecheck
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# mypy with django-stubs (mypy.ini): strict on the pure packages, the rest checked.
typecheck: install-dev
	$(VENV)/bin/mypy

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: install
	DEBUG=$${DEBUG:-1} $(VENV)/bin/celery -A salesops worker --loglevel=info --concurrency=2

beat: install
	mkdir -p var/celery
	DEBUG=$${DEBUG:-1} $(VENV)/bin/celery -A salesops beat --loglevel=info --schedule=var/celery/beat-schedule

messages: install-dev
	DEBUG=1 $(PY) manage.py makemessages -l zh_Hans -l en --ignore=node_modules --ignore=.venv --ignore=static/vendor
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

bench: install-dev
	for f in bench/*.py; do echo "== $$f"; DEBUG=1 $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) node_modules $(VENDOR) staticfiles db.sqlite3 db.sqlite3-* .test-media
