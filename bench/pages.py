"""Per-request CPU cost of every page of the load mix (docs/deploy.md, "Load"): median CPU
ms of this process, median wall ms and SQL queries (median of ``BENCH_N``, default 9), one
user per role of the demo organisation. Run against the `make prod` database or a copy:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salesops \\
        REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/pages.py

CPU ms (``time.process_time``) is what limits throughput on a busy 2-core machine; wall ms
is shown but depends on the other load. The pages are those of ``loadtest/locustfile.py``
with its weights: GETs of Today, customers, inbox, a journal, the morning meeting, home and
the two dashboards, and the POSTs journal autosave and visit record (htmx, as the browser
sends them). ``middleware`` is a trivial signed-in request (a view answering "ok" behind
``login_required``), i.e. the cost every request pays before its view runs. The last line
is the mix's weighted mean, and how many requests/s two cores could serve at that cost.

With REDIS_URL set, writes enqueue their KPI recompute on that Redis as in production (use a
database number no worker reads, like 14; the bench empties its queue at the end); without
it Celery is eager and KPI_TOUCH_WHEN_EAGER is off, so writes enqueue nothing.

``bench/pages.py PAGE`` measures one page; with BENCH_SQL=1 it prints its queries, with
BENCH_PROFILE=1 a cProfile of it in CPU time (BENCH_SORT=tottime for the hot spots).
Visits recorded by the bench are deleted at the end.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings_test")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
# The access log is written as in production (one JSON line per request), to /dev/null.
os.environ.setdefault("LOG_LEVEL", "INFO")

import warnings  # noqa: E402

import django  # noqa: E402

# No collected static files in a work tree: WhiteNoise's warning says nothing about cost.
warnings.filterwarnings("ignore", message="No directory at")

django.setup()

import logging  # noqa: E402

for _handler in logging.getLogger().handlers:
    if isinstance(_handler, logging.StreamHandler):
        _handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - for the whole run

from django.contrib.auth.decorators import login_required  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import path  # noqa: E402

from accounts.models import Membership, User  # noqa: E402
from customers.models import Customer  # noqa: E402
from salesops import urls as project_urls  # noqa: E402

N = int(os.environ.get("BENCH_N", "9"))
# Share of each page in the load mix (loadtest/locustfile.py's task weights, per cent).
MIX = {
    "today": 25,
    "journal autosave": 17,
    "visit record": 11,
    "inbox": 9,
    "journal detail": 9,
    "morning meeting": 7,
    "customers": 6,
    "home": 5,
    "kpi dashboard": 4,
    "kpi team dashboard": 4,
}


@login_required
def _noop(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


# The project's URLs plus the trivial view of the "middleware" line.
urlpatterns = [*project_urls.urlpatterns, path("bench/noop/", _noop)]


def person(role: str) -> User | None:
    """The first current member with ``role`` in the database, or None."""
    m = Membership.objects.filter(role=role, end__isnull=True).select_related("user").first()
    return m.user if m is not None else None


def _client(user: User) -> Client:
    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    client.get("/journals/today/")  # sets the CSRF cookie
    return client


def _htmx_post(client: Client, url: str, data: dict[str, str]) -> Any:
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    return client.post(url, data, HTTP_X_CSRFTOKEN=token, HTTP_HX_REQUEST="true")


def pages(rep: User, sup: User, man: User) -> list[tuple[User, str, Callable[[Client], Any]]]:
    """(user, page name, request) for every page of the mix, resolved on the demo data."""
    rep_client = _client(rep)
    today = rep_client.get("/journals/today/").content.decode()
    found = re.search(r"/journals/day/(\d{4}-\d{2}-\d{2})/autosave/", today)
    day = found.group(1) if found else None
    customers = list(Customer.objects.filter(owner=rep).values_list("id", flat=True)[:50])
    inbox = _client(sup).get("/journals/inbox/").content.decode()
    journals = re.findall(r'href="/journals/(\d+)/"', inbox)
    kpi = _client(man).get("/kpi/", follow=True).content.decode()
    teams = re.findall(r'href="/kpi/team/([\w-]+)/', kpi)
    counter = iter(range(10**6))

    def get(url: str, follow: bool = False) -> Callable[[Client], Any]:
        return lambda c: c.get(url, follow=follow)

    def autosave(c: Client) -> Any:
        return _htmx_post(
            c, f"/journals/day/{day}/autosave/", {"learning_topic": f"专线资费 {next(counter)}"}
        )

    def visit(c: Client) -> Any:
        n = next(counter)
        return _htmx_post(
            c,
            f"/journals/day/{day}/visits/",
            {
                "customer": str(customers[n % len(customers)]),
                "purpose": "explanation",
                "time": f"{9 + n % 9:02d}:{'00' if n % 2 else '30'}",
                "learned": "客户关注千兆专线价格",
                "outcome": "info",
            },
        )

    found_pages: list[tuple[User, str, Callable[[Client], Any]]] = [
        (rep, "middleware", get("/bench/noop/")),
        (rep, "home", get("/", follow=True)),
        (rep, "today", get("/journals/today/")),
        (rep, "customers", get("/customers/")),
        (sup, "inbox", get("/journals/inbox/")),
        (sup, "morning meeting", get("/journals/morning-meeting/")),
        (man, "kpi dashboard", get("/kpi/", follow=True)),
    ]
    if day:
        found_pages.append((rep, "journal autosave", autosave))
        if customers:
            found_pages.append((rep, "visit record", visit))
    if journals:
        found_pages.append((sup, "journal detail", get(f"/journals/{journals[0]}/")))
    if teams:
        found_pages.append((man, "kpi team dashboard", get(f"/kpi/team/{teams[0]}/")))
    return found_pages


def measure(client: Client, request: Callable[[Client], Any]) -> tuple[float, float, int, int]:
    """(median CPU ms, median wall ms, queries of the last run, status of the last run)."""
    request(client)  # warm caches
    wall, cpu = [], []
    queries, status = 0, 0
    for _ in range(N):
        with CaptureQueriesContext(connection) as ctx:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = request(client)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        queries, status = len(ctx.captured_queries), response.status_code
    return statistics.median(cpu), statistics.median(wall), queries, status


def main() -> None:
    """Measure every page of the mix for its role and print CPU ms, wall ms and queries."""
    rep, sup, man = person("rep"), person("supervisor"), person("manager")
    if rep is None or sup is None or man is None:
        print("no demo organisation in this database: run seed_demo (or make prod) first")
        return
    only = sys.argv[1] if len(sys.argv) > 1 else None
    from journals.models import Visit

    last_visit = Visit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    cost: dict[str, float] = {}
    try:
        print(f"{'page':<20} status  CPU ms  wall ms  queries  (median of {N})")
        for user, name, request in pages(rep, sup, man):
            if only and only != name:
                continue
            client = _client(user)
            cpu, wall, queries, status = measure(client, request)
            cost[name] = cpu
            print(f"{name:<20} {status:>6} {cpu:7.1f} {wall:8.1f} {queries:8d}")
            if os.environ.get("BENCH_SQL") and only:
                with CaptureQueriesContext(connection) as ctx:
                    request(client)
                for query in ctx.captured_queries:
                    print(f"  {query['time']:>6} {query['sql'][:160]}")
            if os.environ.get("BENCH_PROFILE") and only:
                import cProfile
                import pstats

                prof = cProfile.Profile(time.process_time)  # CPU, not wall
                prof.enable()
                request(client)
                prof.disable()
                pstats.Stats(prof).sort_stats(
                    os.environ.get("BENCH_SORT", "cumulative")
                ).print_stats(int(os.environ.get("BENCH_LINES", "40")))
    finally:
        # The bench's own visits (the autosaves only change a text field).
        Visit.objects.filter(pk__gt=last_visit, rep=rep).delete()
        _empty_queue()
    if not only and set(MIX) <= set(cost):
        mean = sum(cost[name] * share for name, share in MIX.items()) / sum(MIX.values())
        print(
            f"{'mix (weighted)':<20} {'':>6} {mean:7.1f}   -> at most {2000 / mean:.0f} "
            "requests/s on two free cores (CPU of the web process only)"
        )


def _empty_queue() -> None:
    from django.conf import settings

    if settings.REDIS_URL:
        import redis

        redis.Redis.from_url(settings.REDIS_URL).delete("celery")


if __name__ == "__main__":
    with override_settings(ROOT_URLCONF=__name__):
        main()
