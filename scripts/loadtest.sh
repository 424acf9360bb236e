#!/usr/bin/env bash
# `make loadtest`: start the production setup (scripts/prod.sh) on a loopback port, run the
# locust mix (loadtest/locustfile.py) headless with a bounded number of users and time, write
# p50/p95/p99 per page and the errors to var/loadtest/report-<time>.txt, stop everything.
# Options (loadtest/options.py): LOADTEST_USERS (100, at most 300), LOADTEST_TIME (60s, at
# most 600s), LOADTEST_PORT (8100); LOADTEST_RECOMPUTE=1 adds a second phase of the same
# length, the mix while full KPI recomputes run one after another beside a customer import
# of LOADTEST_IMPORT_ROWS (2000; 0: none) rows (loadtest/background.py), reported beside the
# plain figures. Statistics count from the moment every user has spawned (--reset-stats).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prod-env.sh

opts="$(.venv/bin/python loadtest/options.py)" || exit 2
eval "$opts"   # users seconds port recompute import_rows
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

# One phase of the mix: $1 = CSV prefix, $2 = file written when every user has spawned.
locust_phase() {
  LOADTEST_USERS="$out/users.json" LOADTEST_RAMPED_FILE="$2" .venv/bin/locust \
    -f loadtest/locustfile.py --headless --host "http://127.0.0.1:$port" -u "$users" -r 20 \
    -t "${seconds}s" --reset-stats --csv "$1" --only-summary --stop-timeout 10 || true
}

# CPU seconds of the setup's processes by role ($1: file), when this script started it.
cpu() { if [ -n "${prod:-}" ]; then .venv/bin/python loadtest/cpu.py "$prod" "${DATABASE_URL##*/}" >"$1" || true; fi; }

echo "== warm-up: 10 s, not reported"
LOADTEST_USERS="$out/users.json" .venv/bin/locust -f loadtest/locustfile.py --headless \
  --host "http://127.0.0.1:$port" -u "$users" -r 20 -t 10s --only-summary --stop-timeout 5 \
  >/dev/null 2>&1 || true

# Each phase starts when KPI runs and imports left by earlier work have finished.
settle() { .venv/bin/python loadtest/background.py --settle 300 || true; }

settle
echo "== locust: $users users, ${seconds}s, think time 0.5-1.5 s"
cpu "$out/cpu-$stamp-plain-0.json"
locust_phase "$out/run-$stamp" "$out/ramped-$stamp-plain"
cpu "$out/cpu-$stamp-plain-1.json"
load_plain="$(cut -d' ' -f1-3 /proc/loadavg)"
report_args=(--load "$load_plain" --cpu "$out/cpu-$stamp-plain-0.json" "$out/cpu-$stamp-plain-1.json")

if [ "$recompute" = 1 ]; then
  echo "== locust again, while full KPI recomputes run one after another (import: $import_rows rows)"
  settle
  ready="$out/ramped-$stamp-recompute"
  rm -f "$ready"
  .venv/bin/python loadtest/background.py --ready "$ready" \
    --summary "$out/background-$stamp.json" --import-rows "$import_rows" \
    >"$out/background-$stamp.log" 2>&1 &
  background=$!
  cpu "$out/cpu-$stamp-recompute-0.json"
  locust_phase "$out/run-$stamp-recompute" "$ready"
  cpu "$out/cpu-$stamp-recompute-1.json"
  load_recompute="$(cut -d' ' -f1-3 /proc/loadavg)"
  kill -TERM "$background" 2>/dev/null || true
  wait "$background" || { tail -n 20 "$out/background-$stamp.log"; echo "background work failed" >&2; }
  report_args+=(--recompute "$out/run-$stamp-recompute" --background "$out/background-$stamp.json"
    --load-recompute "$load_recompute"
    --cpu-recompute "$out/cpu-$stamp-recompute-0.json" "$out/cpu-$stamp-recompute-1.json")
fi
rm -f "$out"/ramped-"$stamp"-*
.venv/bin/python loadtest/report.py "$out/run-$stamp" "$out/report-$stamp.txt" "${report_args[@]}"
echo "report: $out/report-$stamp.txt"
