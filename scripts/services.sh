#!/usr/bin/env bash
# Start PostgreSQL and Redis on loopback if they are down, and wait until they answer.
# Shared by `make prod`, `make drills` and .ci/run (source it, or run it:
# `bash scripts/services.sh postgres redis`).
# PG_PORT (5432) and REDIS_PORT (6379) choose the ports.

ensure_postgres() {
  local port="${PG_PORT:-5432}"
  if ! pg_isready -q -h 127.0.0.1 -p "$port"; then
    printf '\n== starting PostgreSQL\n'
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$port" && return 0; sleep 1; done
  echo "FATAL: PostgreSQL did not start on 127.0.0.1:$port" >&2; exit 1
}

ensure_redis() {
  local port="${REDIS_PORT:-6379}"
  if ! redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
    printf '\n== starting Redis\n'
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$port" --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  fi
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && return 0; sleep 1; done
  echo "FATAL: Redis did not start on 127.0.0.1:$port" >&2; exit 1
}

# ensure_database NAME: create the PostgreSQL database NAME (owner postgres) unless it exists.
ensure_database() {
  local port="${PG_PORT:-5432}"
  if ! psql -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$1'" | grep -q 1; then
    createdb -h 127.0.0.1 -p "$port" -U postgres "$1"
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  for service in "$@"; do
    case "$service" in
      postgres) ensure_postgres ;;
      redis) ensure_redis ;;
      *) echo "usage: $0 [postgres] [redis]" >&2; exit 2 ;;
    esac
  done
fi
