"""Typed reads of the process environment for settings.

Each helper returns the parsed value or the default, and raises
``ImproperlyConfigured`` naming the variable when its value cannot be parsed,
so a typo in a deployment fails at start-up with a message that says where.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    """Return the variable as text (stripped), or ``default`` when unset."""
    value = os.environ.get(name)
    return default if value is None else value.strip()


def env_bool(name: str, default: bool = False) -> bool:
    """Return the variable as a boolean (1/0, true/false, yes/no, on/off).

    Raises ImproperlyConfigured for any other value.
    """
    value = os.environ.get(name)
    if value is None:
        return default
    folded = value.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use 1 or 0")


def env_int(name: str, default: int) -> int:
    """Return the variable as an integer; raises ImproperlyConfigured if it is not one."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated variable as a list of non-empty, stripped items."""
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name: str, default: str | None, schemes: set[str]) -> str | None:
    """Return a URL variable after checking its scheme is one of ``schemes``.

    Raises ImproperlyConfigured naming the variable for an unknown scheme.
    """
    value = env_str(name, default)
    if not value:
        return default
    scheme = urlparse(value).scheme
    if scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(f"{name} has scheme {scheme!r}; expected one of {allowed}")
    return value


def database_from_url(name: str, default: str) -> dict[str, object]:
    """Return a Django DATABASES entry parsed from the URL in variable ``name``.

    Supports ``sqlite:///absolute/path`` and ``postgres://`` / ``postgresql://``.
    SQLite gets WAL mode, a busy timeout and IMMEDIATE transactions so a handful
    of concurrent writers wait for each other instead of failing with
    "database is locked". Raises ImproperlyConfigured for other schemes.
    """
    url = env_url(name, default, {"sqlite", "postgres", "postgresql", "pgsql"})
    assert url is not None  # noqa: S101 - default is never None
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = parsed.path or ":memory:"
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
        }
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": (parsed.path or "/").lstrip("/") or "postgres",
        "USER": parsed.username or "",
        "PASSWORD": parsed.password or "",
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        # A database that does not answer gives a quick 503 page (salesops.views.server_error)
        # instead of a request hanging on the connection.
        "OPTIONS": {"connect_timeout": env_int("DB_CONNECT_TIMEOUT", 3)},
    }
