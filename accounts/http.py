"""Reading untrusted request input safely: the one place views go for parameters.

Every helper here turns bad input into a fallback, never an exception that would give
a 500 (docs/architecture.md, Conventions, "Errors"):

- :func:`safe_next` - a ``next`` redirect target, only when it stays on this site;
- :func:`id_param` - a database id (1 .. 2**63 - 1), else None;
- :func:`text_param` - free text without NUL and other control characters, bounded length;
- :func:`period_param` and :func:`date_param` - a period ('2026-10', '2026-W43') or a
  date ('2026-10-19') within the supported years; a bad value falls back to the default
  **and tells the user** with a warning message naming the value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from domain.periods import MAX_YEAR, MIN_YEAR

P = TypeVar("P")

#: Largest value a 64-bit signed primary key can hold (PostgreSQL bigint, SQLite integer).
MAX_ID = 2**63 - 1
EARLIEST_DAY = dt.date(MIN_YEAR, 1, 1)
LATEST_DAY = dt.date(MAX_YEAR, 12, 31)
_CONTROL = {c: None for c in range(32) if chr(c) not in "\t\n\r"}


def safe_next(request: HttpRequest, default: str, *, field: str = "next") -> str:
    """The ``next`` target of a POST (else GET) when it is a path on this site (starting
    with one ``/``), else ``default``. Pass the result to ``redirect`` as is: it is
    never a view name.

    Uses Django's ``url_has_allowed_host_and_scheme``: ``//evil.example/``,
    ``https://evil.example/``, ``/\\evil.example`` and ``javascript:`` are refused; an
    https page never sends the user to plain http.
    """
    raw = request.POST.get(field) or request.GET.get(field) or ""
    target = text_param(raw, max_length=2000)
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


def id_param(raw: object) -> int | None:
    """A positive database id from a request value (``'42'``), else None.

    Digits only, 1 .. 2**63 - 1: larger numbers overflow the database's integer and
    would otherwise raise OverflowError on SQLite or DataError on PostgreSQL.
    """
    text = str(raw).strip() if raw is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def text_param(raw: object, *, max_length: int = 200) -> str:
    """Free text from a request value: stripped, control characters (NUL included) removed,
    at most ``max_length`` characters. PostgreSQL refuses NUL bytes in text."""
    if raw is None:
        return ""
    return str(raw).translate(_CONTROL).strip()[:max_length]


def _warn(request: HttpRequest, raw: str, shown: str) -> None:
    messages.warning(
        request,
        _("%(value)s is not a valid value here; showing %(shown)s instead.")
        % {"value": text_param(raw, max_length=30), "shown": shown},
    )


def period_param(
    request: HttpRequest,
    raw: str | None,
    default: P,
    *,
    parse: Callable[[str], P],
    start_of: Callable[[P], dt.date],
    key_of: Callable[[P], str],
) -> P:
    """The period in ``raw`` parsed with ``parse`` (which raises ValueError for bad text),
    ``default`` when ``raw`` is empty.

    A value that does not parse, or whose start (``start_of``) lies outside
    EARLIEST_DAY..LATEST_DAY, gives ``default`` and a warning message that names the bad
    value and the period shown (``key_of(default)``). Periods are the caller's own type, so
    this serves the domain's and the KPI engine's alike.
    """
    text = text_param(raw, max_length=40)
    if not text:
        return default
    try:
        period = parse(text)
        if EARLIEST_DAY <= start_of(period) <= LATEST_DAY:
            return period
    except (ValueError, OverflowError, TypeError):
        pass
    _warn(request, text, key_of(default))
    return default


def date_param(request: HttpRequest, raw: str | None, default: dt.date) -> dt.date:
    """The date in ``raw`` (YYYY-MM-DD); ``default`` when empty.

    An unreadable or impossible date, or one outside EARLIEST_DAY..LATEST_DAY, gives
    ``default`` and a warning message naming the bad value.
    """
    text = text_param(raw, max_length=40)
    if not text:
        return default
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not EARLIEST_DAY <= day <= LATEST_DAY:
        _warn(request, text, default.isoformat())
        return default
    return day
