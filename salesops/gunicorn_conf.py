"""gunicorn settings for `make prod` and production (`gunicorn -c salesops/gunicorn_conf.py`).

Read from the environment (docs/deploy.md, "Environment variables"): WEB_BIND,
WEB_CONCURRENCY, WEB_THREADS, WEB_TIMEOUT. Responses carry no ``Server`` header: the
banner only tells an attacker which server and version to look up.
"""

from __future__ import annotations

import os

from gunicorn.http import wsgi as _gunicorn_wsgi  # type: ignore[import-untyped]

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


def _headers_without_server(self: _gunicorn_wsgi.Response) -> list[str]:
    """gunicorn's status line and default headers less ``Server: gunicorn``."""
    return [h for h in _default_headers(self) if not h.lower().startswith("server:")]


_gunicorn_wsgi.Response.default_headers = _headers_without_server
