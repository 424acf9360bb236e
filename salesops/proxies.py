"""The client's address behind reverse proxies, for the login lockout (django-axes).

``TRUSTED_PROXY_COUNT`` (environment, default 0) says how many reverse proxies that
append to ``X-Forwarded-For`` stand in front of the app (nginx with
``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for``, a load balancer, ...).

- 0: the connection's address (``REMOTE_ADDR``); ``X-Forwarded-For`` is ignored, since
  anyone can send it.
- N > 0: each trusted proxy appended the address it saw, so the N-th entry from the right
  is the client as seen by the outermost trusted proxy; entries further left were sent by
  the client and cannot be trusted. A header with fewer than N entries (a request that
  bypassed a proxy) falls back to ``REMOTE_ADDR``.

Without this, behind a proxy every login attempt comes "from" the proxy and ten bad
passwords would lock that user out for everyone (docs/architecture.md, "Security").
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address as a string, by the rule above (``AXES_CLIENT_IP_CALLABLE``)."""
    remote = request.META.get("REMOTE_ADDR")
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if count <= 0:
        return remote
    entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    entries = [e for e in entries if e]
    if len(entries) < count:
        return remote
    candidate = entries[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
