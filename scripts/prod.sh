#!/usr/bin/env bash
# `make prod`: PostgreSQL and Redis (started if down), migrations, static files, the demo
# organisation when the database is empty, then gunicorn, a Celery worker and beat from
# the Procfile under honcho. Ctrl-C stops all three (honcho sends SIGTERM to each).
# Every setting can be overridden from the environment (docs/deploy.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

source scripts/prod-env.sh

ensure_postgres
ensure_redis
case "$DATABASE_URL" in
  postgres://postgres@127.0.0.1:5432/*) ensure_database "${DATABASE_URL##*/}" ;;
esac

PY=.venv/bin/python
$PY manage.py migrate --noinput
# Compressing the static files takes minutes on a small machine: only when they changed.
if [ ! -f staticfiles/staticfiles.json ] || \
   [ -n "$(find static ./*/static -newer staticfiles/staticfiles.json -print -quit 2>/dev/null)" ]; then
  $PY manage.py collectstatic --noinput -v 0
fi
if ! $PY manage.py shell -c "import sys; from accounts.models import User; sys.exit(0 if User.objects.exists() else 1)"; then
  echo "== empty database: seeding the demo organisation (password for every login: salesops-demo)"
  $PY manage.py seed_demo
fi
echo "SalesOps (production setup): http://${WEB_BIND}/  (gunicorn, Celery worker and beat: Ctrl-C stops all)"
exec .venv/bin/honcho -f Procfile start
