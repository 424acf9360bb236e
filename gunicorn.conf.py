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
# The pages are CPU-bound Python (docs/deploy.md, "Load"): one process per core keeps every
# core busy without processes taking the CPU from each other, and four threads each let a
# process go on with another request while one waits on PostgreSQL or Redis (a page spends
# a few ms of its time there). More processes than cores only add switching and memory.
workers = int(os.environ.get("WEB_CONCURRENCY", str(os.cpu_count() or 1)))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Django and the app are imported once, in the master, before the workers are forked: a
# worker (re)started by max_requests is ready at once instead of spending a second or two
# of CPU importing Django, pandas and the apps, and the processes share that memory. Code
# changes therefore need a restart of gunicorn (not a HUP), as docs/deploy.md says.
preload_app = True
# Restart a worker now and then, so a slow leak never grows for days (at 100 requests/s
# a process serves 10,000 requests in under 4 minutes).
max_requests = 10000
max_requests_jitter = 1000
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


def when_ready(server):  # type: ignore[no-untyped-def]
    """In the master, after the app was imported (preload_app) and before any worker is
    forked: close any database connection the import opened, so no two processes ever
    share one socket; each worker opens its own on its first query."""
    from django.db import connections

    connections.close_all()
