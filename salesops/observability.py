"""Structured logs: one JSON line per record, with the request id and user of the request
that wrote it (docs/deploy.md, "Logs").

- :class:`RequestLogMiddleware` gives each request an id (a valid incoming ``X-Request-ID``
  from the proxy, else a new one), returns it in ``X-Request-ID``, and writes one
  ``request`` record at the end: method, path, status, duration_ms, user, request_id. A
  403 also writes an ``access_denied`` record.
- Every login attempt writes one ``login`` record (outcome ``ok``, ``failed`` or
  ``locked``) from Django's auth signals and django-axes' lockout signal.
- :class:`ContextFilter` adds ``request_id`` and ``user`` to every record logged while a
  request is served, so a traceback can be matched to its request line.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
user_var: contextvars.ContextVar[str] = contextvars.ContextVar("user", default="")

access_log = logging.getLogger("salesops.access")
security_log = logging.getLogger("salesops.security")

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``user`` (empty outside a request) to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        if not hasattr(record, "user"):
            record.user = user_var.get()
        return True


def _client_ip(request: HttpRequest) -> str:
    """The client's address behind trusted proxies (salesops.proxies)."""
    from .proxies import client_ip

    return client_ip(request) or ""


def _username(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return str(user.get_username())
    return ""


def _on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    security_log.info(
        "login",
        extra={
            "event": "login",
            "outcome": "ok",
            "username": user.get_username(),
            "ip": _client_ip(request) if request is not None else "",
        },
    )


def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    security_log.warning(
        "login",
        extra={
            "event": "login",
            "outcome": "failed",
            "username": str(credentials.get("username", ""))[:150],
            "ip": _client_ip(request) if request is not None else "",
        },
    )


def _on_locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, ip_address: str, **kw: Any
) -> None:
    security_log.warning(
        "login",
        extra={
            "event": "login",
            "outcome": "locked",
            "username": (username or "")[:150],
            "ip": ip_address,
        },
    )


def connect_signals() -> None:
    """Connect the login records (idempotent: fixed dispatch uids)."""
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_login_failed

    user_logged_in.connect(_on_login, dispatch_uid="salesops.observability.login")
    user_login_failed.connect(_on_login_failed, dispatch_uid="salesops.observability.failed")
    user_locked_out.connect(_on_locked_out, dispatch_uid="salesops.observability.locked")


class RequestLogMiddleware:
    """One ``request`` record per request (JSON with the logging settings of production)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        connect_signals()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        rid_token = request_id_var.set(rid)
        user_token = user_var.set("")
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            user = _username(request)
            user_var.set(user)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            response["X-Request-ID"] = rid
            fields = {
                "event": "request",
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user": user,
                "request_id": rid,
            }
            level = logging.WARNING if response.status_code >= 500 else logging.INFO
            access_log.log(level, "request", extra=fields)
            if response.status_code == 403:
                security_log.warning(
                    "access_denied",
                    extra={**fields, "event": "access_denied", "ip": _client_ip(request)},
                )
            return response
        finally:
            request_id_var.reset(rid_token)
            user_var.reset(user_token)
