"""Per-page cost on the demo organisation: milliseconds (median of N) and SQL queries for
the pages of the load mix, one user per role. Run against the `make prod` database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salesops .venv/bin/python bench/pages.py

Prints one line per page: median wall ms, median CPU ms of this process (what limits
throughput on a busy machine) and queries. ``bench/pages.py PAGE`` with BENCH_PROFILE=1
prints a cProfile of one page (BENCH_SORT=tottime for the hot spots)."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings_test")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Membership  # noqa: E402

N = int(os.environ.get("BENCH_N", "7"))


def person(role: str) -> object | None:
    m = Membership.objects.filter(role=role, end__isnull=True).select_related("user").first()
    return m.user if m is not None else None


def main() -> None:
    """Time each page for its role and print median ms and query count."""
    rep, sup, man = person("rep"), person("supervisor"), person("manager")
    if rep is None or sup is None or man is None:
        print("no demo organisation in this database: run seed_demo (or make prod) first")
        return
    pages = [
        (rep, "today", "/journals/today/"),
        (rep, "customers", "/customers/"),
        (sup, "inbox", "/journals/inbox/"),
        (sup, "morning meeting", "/journals/morning-meeting/"),
        (man, "kpi dashboard", "/kpi/"),
    ]
    only = sys.argv[1] if len(sys.argv) > 1 else None
    for user, name, url in pages:
        if only and only != name:
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        client.get(url, follow=True)  # warm caches
        times, cpu = [], []
        for _ in range(N):
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(url, follow=True)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
        print(
            f"{name:<18} {response.status_code} {statistics.median(times):7.1f} ms "
            f"{statistics.median(cpu):6.1f} ms CPU {len(ctx.captured_queries):4d} queries"
        )
        if os.environ.get("BENCH_PROFILE") and only:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            client.get(url, follow=True)
            prof.disable()
            pstats.Stats(prof).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(
                40
            )


if __name__ == "__main__":
    main()
