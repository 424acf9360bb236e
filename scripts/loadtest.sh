#!/usr/bin/env bash
# `make loadtest`: start the production setup (scripts/prod.sh) on a loopback port, run the
# locust mix (loadtest/locustfile.py) headless with a bounded number of users and time, write
# p50/p95/p99 per page and the errors to var/loadtest/report-<time>.txt, stop everything.
# LOADTEST_USERS (100, at most 300), LOADTEST_TIME (60s, at most 600s), LOADTEST_PORT (8100).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prod-env.sh

users="${LOADTEST_USERS:-100}"
duration="${LOADTEST_TIME:-60s}"
port="${LOADTEST_PORT:-8100}"
seconds="${duration%s}"
if [ "$users" -gt 300 ] || [ "$seconds" -gt 600 ]; then
  echo "loadtest: at most 300 users and 600s" >&2; exit 2
fi
out=var/loadtest
mkdir -p "$out"
stamp="$(date -u +%Y%m%d-%H%M%S)"

if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
  echo "== using the production setup already running on 127.0.0.1:$port"
else
  PORT="$port" WEB_BIND="127.0.0.1:$port" bash scripts/prod.sh >"$out/prod-$stamp.log" 2>&1 &
  prod=$!
  stop() { kill -INT "$prod" 2>/dev/null || true; wait "$prod" 2>/dev/null || true; }
  trap stop EXIT
  echo "== starting the production setup on 127.0.0.1:$port (log: $out/prod-$stamp.log)"
  for _ in $(seq 1 900); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    kill -0 "$prod" 2>/dev/null || { tail -n 30 "$out/prod-$stamp.log"; echo "FATAL: make prod died" >&2; exit 1; }
    sleep 1
  done
fi
curl -fsS "http://127.0.0.1:$port/readyz"; echo

.venv/bin/python manage.py shell -v 0 -c '
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from accounts.models import Membership, User
from customers.models import Customer
roles = {"rep": [], "supervisor": [], "manager": []}
for m in Membership.objects.filter(end__isnull=True).select_related("user").order_by("user__username"):
    role = m.role if m.role in roles else None
    if role and m.user.is_active and all(p["username"] != m.user.username for p in roles[role]):
        session = SessionStore()
        session[SESSION_KEY] = str(m.user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = m.user.get_session_auth_hash()
        session.create()
        person = {"username": m.user.username, "session": session.session_key}
        if role == "rep":
            person["customers"] = list(Customer.objects.filter(owner=m.user).values_list("id", flat=True)[:50])
        roles[role].append(person)
print(json.dumps(roles))
' >"$out/users.json"

echo "== locust: $users users, $duration, think time 0.5-1.5 s"
LOADTEST_USERS="$out/users.json" .venv/bin/locust -f loadtest/locustfile.py --headless \
  --host "http://127.0.0.1:$port" -u "$users" -r 20 -t "$duration" \
  --csv "$out/run-$stamp" --only-summary --stop-timeout 10 || true
.venv/bin/python loadtest/report.py "$out/run-$stamp" "$out/report-$stamp.txt"
echo "report: $out/report-$stamp.txt"
