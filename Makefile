# Back In Shape — everyday commands. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
STAMP := $(VENV)/.installed

.PHONY: install run test lint format ci bench bench-email prod-check worker beat check-deploy clean

install: $(STAMP)

$(STAMP): pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $(STAMP)

# The whole site on this machine: web, worker and beat (honcho, Procfile.dev) on SQLite
# and a broker in plain files, emails in the outbox at /dev/outbox/, demo payments.
# `make run PORT=8200` serves on another port; Ctrl-C stops everything (scripts/run.sh).
PORT ?= 8000
run: install
	PORT=$(PORT) scripts/run.sh

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	$(PY) scripts/check_deploy.py

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(PY) -m pytest tests/bench -m bench -s --no-header -q
	$(PY) scripts/bench_http.py

# The Sunday email through real workers to a local SMTP sink, against a plain smtplib loop.
# Needs PostgreSQL and Redis (see scripts/bench_email.py); BENCH_EMAIL_SIZES=2000,20000.
bench-email: install
	$(PY) scripts/bench_email.py

# The production shape end to end (tests/prod): nginx with deploy/'s config, two gunicorns,
# a worker and beat, PostgreSQL, Redis, an SMTP sink and a local S3 stand-in, ~2 minutes.
# Needs nginx, openssl, PostgreSQL and Redis; see the README, "Checking the production shape".
prod-check: install
	$(PY) -m pytest tests/prod -m prod $(PYTEST_ARGS)

ci:
	bash .ci/run

worker: install
	$(VENV)/bin/celery -A backinshape worker -l info

beat: install
	$(VENV)/bin/celery -A backinshape beat -l info

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles var
