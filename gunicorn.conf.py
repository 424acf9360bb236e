"""gunicorn settings read when gunicorn starts in the project folder (`make prod`, the
systemd unit in docs/deploy.md).

Read from the environment (docs/deploy.md, "Environment variables"): WEB_BIND,
WEB_CONCURRENCY, WEB_THREADS, WEB_TIMEOUT, FORWARDED_ALLOW_IPS.

gunicorn has no switch for its ``Server: gunicorn`` header; drop the line when the
response headers are built, so no server banner leaves the app (docs/architecture.md,
"Security").
"""

import os

from gunicorn.http import wsgi as _gunicorn_wsgi

bind = os.environ.get("WEB_BIND", "127.0.0.1:8000").split(",")
# CPU-bound Django pages on a small machine: one process per core plus one, each with a
# few threads so a request waiting on PostgreSQL does not hold a whole process.
workers = int(os.environ.get("WEB_CONCURRENCY", str((os.cpu_count() or 1) + 1)))
threads = int(os.environ.get("WEB_THREADS", "2"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Restart a worker now and then, so a slow leak never grows for days.
max_requests = 2000
max_requests_jitter = 200
# The access log is written by the application (one JSON line per request, with the
# request id, user and duration); gunicorn's own log goes to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips


_default_headers = _gunicorn_wsgi.Response.default_headers


def _headers_without_server(self):  # type: ignore[no-untyped-def]
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


_gunicorn_wsgi.Response.default_headers = _headers_without_server  # type: ignore[method-assign]
