#!/usr/bin/env bash
# `make run`: migrate, load the demo, say where everything is, then run web, worker and
# beat under honcho (Procfile.dev) until Ctrl-C, which stops all three.
#
# Everything is local: SQLite (db.sqlite3, or DATABASE_URL), kombu's filesystem broker in
# var/broker/ (CELERY_BROKER_URL=filesystem://), a cache in files in var/cache/, emails in
# the outbox at /dev/outbox/ and, with no STRIPE_SECRET_KEY, demo payments. PORT (default
# 8000) is where the site listens. Any of these set in the environment wins.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
export PATH="$PWD/$VENV/bin:$PATH"

export DJANGO_DEBUG="${DJANGO_DEBUG:-true}"
export PORT="${PORT:-8000}"
# Worker and beat build links too (emails), and honcho gives each process its own PORT:
# so the site's address is fixed here, once, for all three.
export SITE_URL="${SITE_URL:-http://127.0.0.1:$PORT}"
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-filesystem://}"
# One cache for the three processes (the heartbeat, the page cache), in files.
export CACHE_DIR="${CACHE_DIR:-$PWD/var/cache}"
export PYTHONUNBUFFERED=1

python manage.py migrate --noinput
python manage.py seed_demo
python manage.py startup_message
exec honcho start --no-colour --procfile Procfile.dev --port "$PORT"
