"""Cost of the customer search by pinyin (docs/domain, section 5, "Search by pinyin") and of
the global search page, on a throw-away test database with N customers.

    .venv/bin/python bench/search.py [N]          # SQLite (default N = 20000)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salesops .venv/bin/python bench/search.py

Creates ``test_<db>`` (migrated), bulk-inserts N customers with generated Chinese company
names (their ``pinyin_search`` computed by ``customers.pinyin.search_text``), then prints the
median milliseconds of: the pinyin condition alone, the whole customer search condition
(``customers.selectors.search_q``), and the ``/search/`` page as a supervisor; and the time
to compute the search text per name. The test database is dropped at the end."""

from __future__ import annotations

import itertools
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

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

REGIONS = ["上海", "深圳", "北京", "重庆", "广州", "杭州", "南京", "成都", "武汉", "天津"]
TRADES = ["新阳", "腾飞", "华信", "远航", "长城", "金桥", "银河", "东方", "宏达", "恒通", "TCL"]
TRADES += ["海康", "中兴", "同方", "万科", "国信", "安泰", "博雅", "新世纪", "光明"]
INDUSTRIES = ["半导体材料", "科技", "物流", "电子", "医药", "建设", "食品", "能源", "通信"]
FORMS = ["有限公司", "股份有限公司", "集团有限公司", ""]
QUERIES = ["tcl", "shxy", "xy", "shanghai", "bdtcl", "腾飞", "sztfkj", "138"]
REPEAT = int(os.environ.get("BENCH_N_REPEAT", "5"))


def names(count: int) -> list[str]:
    """``count`` distinct company names (a number appended once the combinations run out)."""
    combos = itertools.cycle(itertools.product(REGIONS, TRADES, INDUSTRIES, FORMS))
    return [f"{''.join(next(combos))}{i // 7920 or ''}" for i in range(count)]


def median_ms(action, repeat: int = REPEAT) -> float:
    """The median wall-clock milliseconds of ``action()`` over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    """Build the database, time the searches, print one line per figure."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(count)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(count: int) -> None:
    from accounts.models import Membership, OrgUnit, User
    from customers.models import Customer
    from customers.pinyin import pinyin_pattern, pinyin_q, search_text
    from customers.selectors import search_q
    from customers.services import customer_fill_derived

    team = OrgUnit.objects.create(name="一组", code="t1", kind="team")
    sup = User.objects.create_user("sup", password="x")  # noqa: S106 - throw-away database
    Membership.objects.create(user=sup, unit=team, role="supervisor", start="2020-01-01")
    all_names = names(count)
    started = time.perf_counter()
    rows = []
    for name in all_names:
        customer = Customer(name=name, team=team)
        customer_fill_derived(customer)
        rows.append(customer)
    per_name_us = (time.perf_counter() - started) / count * 1e6
    Customer.objects.bulk_create(rows, batch_size=2000)
    print(f"{connection.vendor}, {count} customers")
    print(f"derived search fields per name: {per_name_us:.0f} us (search text alone: ", end="")
    started = time.perf_counter()
    for name in all_names[:2000]:
        search_text(name + "x", "")  # not cached
    print(f"{(time.perf_counter() - started) / 2000 * 1e6:.0f} us)")
    for q in QUERIES:
        found = Customer.objects.filter(search_q(q)).count()
        whole = median_ms(lambda q=q: Customer.objects.filter(search_q(q)).count())
        if pinyin_pattern(q) is None:
            pinyin = "no pinyin"
        else:
            ms = median_ms(lambda q=q: Customer.objects.filter(pinyin_q(q)).count())
            pinyin = f"{ms:7.1f} ms"
        print(f"q={q:<8} {found:6d} found: whole search {whole:7.1f} ms, pinyin alone {pinyin}")
    client = Client()
    client.force_login(sup)
    for q in ("shxy", "腾飞"):
        assert client.get("/search/", {"q": q}).status_code == 200
        page = median_ms(lambda q=q: client.get("/search/", {"q": q}))
        print(f"/search/?q={q}: {page:.1f} ms")


if __name__ == "__main__":
    main()
