"""gunicorn settings read when gunicorn starts in the project folder.

gunicorn has no switch for its ``Server: gunicorn`` header; drop the line when the
response headers are built, so no server banner leaves the app (docs/architecture.md,
"Security").
"""

from gunicorn.http import wsgi as _gunicorn_wsgi

_default_headers = _gunicorn_wsgi.Response.default_headers


def _headers_without_server(self):  # type: ignore[no-untyped-def]
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


_gunicorn_wsgi.Response.default_headers = _headers_without_server  # type: ignore[method-assign]
