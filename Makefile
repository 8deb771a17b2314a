# Smart Invoice: `make run` starts the service on the embedded defaults, `make test` runs
# the whole suite. Both set up the virtualenv first when requirements change.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# What makemessages reads: our code and templates, not the tests, simulators or benchmarks.
MESSAGES_ARGS := --locale nl --locale fr --no-obsolete --no-location --ignore tests --ignore sandboxes --ignore bench --ignore staticfiles --ignore artifacts --ignore node_modules

.PHONY: run test test-browser lint check messages bench-invoices bench-ponto bench-yuki bench-dashboards bench-load bench-einvoicing bench-api clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## Development server and background worker together, on SQLite, with a demo login.
run: $(VENV)/.installed
	@export DEBUG=1; \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py seed_demo && \
	$(PY) manage.py seed_demo_billing && \
	$(PY) manage.py seed_demo_rules && \
	exec $(PY) manage.py run_local $(HOST):$(PORT)

## The whole test suite (DATABASE_URL / REDIS_URL select PostgreSQL and Redis).
test: $(VENV)/.installed
	$(PY) -m pytest

## Only the browser tests (Playwright driving Debian's chromium package; `make test` runs them too).
test-browser: $(VENV)/.installed
	$(PY) -m pytest -m browser

## The Dutch and French catalogues (locale/): collect new strings, then compile them after translating.
## CI fails when a string is missing or untranslated (tests/core/test_translations.py).
messages: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py makemessages $(MESSAGES_ARGS)
	DEBUG=1 $(PY) manage.py compilemessages --locale nl --locale fr --ignore '.venv'

## Linters and type checks, as CI runs them.
lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DEBUG=1 $(PY) -m mypy .

## Django's own production checklist against production-like settings.
check: $(VENV)/.installed
	DEBUG=0 SECRET_KEY=check-only-$(shell date +%s)-0123456789abcdefghijklmnopqrstuvwxyz \
	FIELD_ENCRYPTION_KEYS=$(shell $(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
	ALLOWED_HOSTS=example.com $(PY) manage.py check --deploy --fail-level WARNING

## Server time of the invoice pages and PDF on 100,000 invoices in PostgreSQL; run by hand.
## DROPS and re-creates BENCH_DATABASE_URL's database. BENCH_ARGS="--reuse" keeps the data.
bench-invoices: $(VENV)/.installed
	$(PY) -m bench.invoices $(BENCH_ARGS)

## The public API: list 100 of 100,000 invoices, create one; same data as bench-invoices; run by hand.
bench-api: $(VENV)/.installed
	$(PY) -m bench.api $(BENCH_ARGS)

## E-invoices: UBL generation and validation per invoice, and the PDF with its QR code; run by hand.
## DROPS and re-creates BENCH_EINVOICING_DATABASE_URL's database.
bench-einvoicing: $(VENV)/.installed
	$(PY) -m bench.einvoicing $(BENCH_ARGS)

## An initial Ponto sync of 100,000 sandbox transactions into PostgreSQL, against COPY; run by hand.
## DROPS and re-creates BENCH_PONTO_DATABASE_URL's database. BENCH_ARGS="--transactions 20000".
bench-ponto: $(VENV)/.installed
	$(PY) -m bench.ponto_sync $(BENCH_ARGS)

## An initial Yuki sync of 20,000 open items and 200,000 GL transactions from the sandbox; run by hand.
## DROPS and re-creates BENCH_YUKI_DATABASE_URL's database. BENCH_ARGS="--open-items 2000 --gl-transactions 20000".
bench-yuki: $(VENV)/.installed
	$(PY) -m bench.yuki_sync $(BENCH_ARGS)

## The overview, each dashboard tab, the transactions screen (first page and a search) and every chart's
## JSON and table, cold and warm, on 1,000,000 bank transactions; run by hand.
## DROPS and re-creates BENCH_DASHBOARDS_DATABASE_URL's database; flushes BENCH_REDIS_URL's (default
## Redis database 5). BENCH_ARGS="--reuse" keeps the data; "--explain" explains slow cold requests.
bench-dashboards: $(VENV)/.installed
	$(PY) -m bench.dashboards $(BENCH_ARGS)

## Requests per second and p99 of /health/, the dashboard, a chart's JSON and the invoice list under
## wrk (-t2 -c8 -d30s) against gunicorn (platform/gunicorn.conf.py) on 127.0.0.1, on PostgreSQL and Redis;
## run by hand. DROPS and re-creates BENCH_LOAD_DATABASE_URL's database; flushes BENCH_REDIS_URL's (default
## Redis database 5). BENCH_ARGS="--reuse" keeps the data; "--duration 10" shortens each wrk run.
bench-load: $(VENV)/.installed
	$(PY) -m bench.load $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
