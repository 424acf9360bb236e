"""The options of `make loadtest` (docs/deploy.md, "Load"), read from the environment and
checked in one place. ``python loadtest/options.py`` prints them as shell assignments for
scripts/loadtest.sh (``eval``), or a message and exit status 2 for a bad value.

=====================  =========  =============================================================
variable               default    meaning
=====================  =========  =============================================================
LOADTEST_USERS         100        locust users (1 to 300)
LOADTEST_TIME          60s        each phase's length: ``90``, ``90s``, ``2m`` (10 s to 600 s)
LOADTEST_PORT          8100       loopback port of the production setup
LOADTEST_RECOMPUTE     0          1: a second phase, the same mix while full KPI recomputes run
                                  one after another (and an import, below)
LOADTEST_IMPORT_ROWS   2000       rows of each customer import of that phase; 0: no import
=====================  =========  =============================================================
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass

MAX_USERS = 300
MAX_SECONDS = 600
MIN_SECONDS = 10
MAX_IMPORT_ROWS = 20_000
_YES = {"1", "yes", "true", "on"}
_NO = {"", "0", "no", "false", "off"}


@dataclass(frozen=True)
class Options:
    """One load test's settings: ``users``, ``seconds`` (each phase), ``port``,
    ``recompute`` (run the "during recompute" phase), ``import_rows`` (per import in that
    phase; 0 = none)."""

    users: int
    seconds: int
    port: int
    recompute: bool
    import_rows: int

    def shell(self) -> str:
        """The options as bash assignments: ``users=100 seconds=60 ...``."""
        values = {
            "users": self.users,
            "seconds": self.seconds,
            "port": self.port,
            "recompute": int(self.recompute),
            "import_rows": self.import_rows,
        }
        return " ".join(f"{k}={shlex.quote(str(v))}" for k, v in values.items())


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = env.get(name, "").strip() or str(default)
    if not re.fullmatch(r"\d+", text):
        raise ValueError(f"{name}={text!r}: a whole number is needed")
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f"{name}={value}: between {low} and {high}")
    return value


def _seconds(text: str) -> int:
    found = re.fullmatch(r"(\d+)\s*([sm]?)", text.strip().lower())
    if not found:
        raise ValueError(f"LOADTEST_TIME={text!r}: seconds like 90, 90s or 2m")
    value = int(found.group(1)) * (60 if found.group(2) == "m" else 1)
    if not MIN_SECONDS <= value <= MAX_SECONDS:
        raise ValueError(f"LOADTEST_TIME={text!r}: between {MIN_SECONDS}s and {MAX_SECONDS}s")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    text = env.get(name, "").strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"{name}={text!r}: 1 or 0")


def parse(env: Mapping[str, str]) -> Options:
    """The load test's options from ``env`` (the variables in the module docstring).
    Raises ValueError naming the variable for a value out of bounds or unreadable."""
    return Options(
        users=_int(env, "LOADTEST_USERS", 100, 1, MAX_USERS),
        seconds=_seconds(env.get("LOADTEST_TIME", "").strip() or "60s"),
        port=_int(env, "LOADTEST_PORT", 8100, 1024, 65535),
        recompute=_flag(env, "LOADTEST_RECOMPUTE"),
        import_rows=_int(env, "LOADTEST_IMPORT_ROWS", 2000, 0, MAX_IMPORT_ROWS),
    )


def main() -> int:
    """Print the options as shell assignments; exit status 2 with a message for a bad one."""
    try:
        print(parse(os.environ).shell())
    except ValueError as exc:
        print(f"loadtest: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
