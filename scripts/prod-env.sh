# The production settings of `make prod` and `make loadtest` on this machine (sourced).
# Anything already set in the environment wins.
export DEBUG="${DEBUG:-0}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export PROD_DB="${PROD_DB:-salesops}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/${PROD_DB}}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export WEB_BIND="${WEB_BIND:-127.0.0.1:${PORT:-8000}}"
mkdir -p var/celery
if [ -z "${SECRET_KEY:-}" ]; then
  # A key of this machine's own, kept out of git (var/ is ignored).
  [ -s var/secret_key ] || .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(50))" >var/secret_key
  chmod 600 var/secret_key
  SECRET_KEY="$(cat var/secret_key)"
  export SECRET_KEY
fi

# Full KPI recomputes on their own queue, consumed by the Procfile's niced `kpiworker`.
export KPI_QUEUE="${KPI_QUEUE-kpi}"
