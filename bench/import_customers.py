"""Benchmark the customer import on SQLite and on PostgreSQL.

Builds a realistic 100,000-row customer workbook in /tmp (openpyxl write-only), then,
for each database, in a fresh child process, imports it into an EMPTY database of its own
(SQLite: /tmp/salesops-bench-import.sqlite3; PostgreSQL: the scratch database
``salesops_bench_import`` on ``BENCH_PG_URL``, default
``postgres://postgres@127.0.0.1:5432/``, dropped and created here; ``BENCH_PG_NAME`` and
``TMPDIR`` give two people measuring at once databases and files of their own) the way
the page does: upload (``import_job_create``), the preview (``import_preview``), then
``import_job_execute``. It prints per database:

- CPU seconds of the whole import (this process; PostgreSQL's server is not counted, the
  database is the same for any client) and rows per second;
- the ratio of that CPU time to a bare python-calamine read of the same file
  (``to_python`` of the sheet), measured in the same process (aim: <= 3x);
- peak memory of the import process (ru_maxrss, preview included) and the Django
  baseline before it (aim: < 400 MB).

Usage: ``.venv/bin/python bench/import_customers.py [--rows N] [--db sqlite|postgresql|both]
[--profile] [--stages] [--rebuild]`` (the workbook is built once and reused; the databases
are always new, empty ones). ``--profile`` prints the top functions of a cProfile run of the
import; ``--stages`` the CPU seconds of each stage of the execute step (``_STAGES``: cheap
counters around a few functions, no profiler slowing the rest).
A database that cannot be reached is reported and skipped.

Measured on the shared 2-core development machine (2026-12-07, other work running, so CPU
seconds vary by about 10% between runs), the code before and after the last changes run
back to back, 100,000 rows, pinyin search text included:

=========== ================== ================== ================
database    before             after              peak memory
=========== ================== ================== ================
SQLite      16.7 s CPU, 14.1x  15.1 s CPU, 12.1x  479 -> 473 MB
PostgreSQL  10.2 s CPU, 8.2x   8.4 s CPU, 6.6x    487 -> 439 MB
=========== ================== ================== ================

Then (2026-12-08, load average 8-11, the code before and after run in the same hour; the
SQLite page cache of the import's connection, chunks of up to 5,000 rows, four indexes that
duplicated composite ones dropped, one-pass pinyin with cached word and name-ending forms):

=========== ================== ================== ================
database    before             after              peak memory
=========== ================== ================== ================
SQLite      22.5 s CPU, 16.9x  17.2 s CPU, 8.9x   372 -> 381 MB
PostgreSQL  12.0 s CPU, 7.0x   10.6 s CPU, 6.6x   377 -> 388 MB
=========== ================== ================== ================

CPU seconds inflate under such load (the same bare read took 1.3 to 1.9 s); compare ratios
from one run. The 3x aim is not met. docs/architecture.md (Import speed) has the stages.

Then the row side (2026-12-08, 04:10-04:25, load average 8-10; main before these changes
and after them, with the write side's changes landed meanwhile, run back to back;
``--stages``, CPU seconds of the execute step):

==================== ================ ================
stage                SQLite           PostgreSQL
==================== ================ ================
read + convert       3.75 -> 2.62 s   4.11 -> 2.48 s
in-file duplicates   0.51 -> 0.39 s   0.61 -> 0.41 s
building new rows    1.58 -> 1.09 s   1.81 -> 1.00 s
(of it pinyin)       0.91 -> 0.69 s   0.95 -> 0.62 s
whole import         14.6 -> 11.6 s   10.5 -> 7.0 s
ratio to bare read   10.2x -> 7.0x    6.5x -> 4.7x
peak memory          381 -> 383 MB    377 -> 377 MB
==================== ================ ================

(bare read 1.4-1.7 s in these runs). What did it: credit codes checked by one pattern and a
table instead of python-stdnum's per-character cleaning
(``domain.credit_codes.credit_code_valid``; stdnum still says why a code is refused),
columns of names, lines, identifiers, mobiles and codes keep the cells that already are
their value without a call (``customers.importing.converters._KEEPERS``), one transposition
per chunk, the cyclic garbage collector paused for the parse and the execute step
(``customers.importing.bulk``: the rows form no cycles, and the collector rescanned them
about a fifth of the parse's time), blank-row checks only for rows whose first cell is
empty, the new rows built column by column (``_new_customer_rows``) and the first word of a
name cached by its first three characters when they decide it
(``customers.pinyin._next_word``). Still to go for the row side: read + convert is about 1 s
over the bare read (the formula scan of the sheet XML 0.2 s, the converted columns 0.5 s,
the rows' value dicts 0.2 s), duplicate marking 0.4 s and building 1.0 s (pinyin 0.6-0.7 s)
against an aim of 0.5 s together.

Then the write side (2026-12-08, 04:20-04:35, load average 5-9; the same tree without and
with these changes back to back; duplicate lookups with one JSON array per key kind, COPY
text built column by column on PostgreSQL, indexes no query uses dropped, migration
customers/0011; docs/architecture.md, Import speed, has the details):

==================== ================ ================
stage                SQLite           PostgreSQL
==================== ================ ================
duplicate lookups    1.88 -> 0.48 s   0.67 -> 0.33 s
planning in all      2.27 -> 0.80 s   1.01 -> 0.68 s
inserts (4 tables)   6.01 -> 5.00 s   1.64 -> 0.96 s
execute step         14.5 -> 11.4 s   7.5 -> 6.4 s
whole import, 2 runs 12.0, 11.8 ->   7.4, 9.0 ->
                     10.5, 11.9 s     6.6, 7.0 s
ratio to bare read   8.2x, 7.6x ->    4.9x, 5.1x ->
                     7.6x, 7.4x       4.4x, 4.3x
==================== ================ ================

Where the time went before these (process time per stage, PostgreSQL): reading and converting the
sheet 2.5 s (python-calamine's own read 1.2 s), building the new customers' rows 2.2 s
(pinyin initials and search text about 1.0 s), duplicate lookups 0.8 s, COPY 1.4 s; on
SQLite the inserts themselves take 5 to 6 s (a dozen indexes on the customer table).

Peak memory (2026-12-07, 100,000 rows, same machine): python-calamine holds the whole sheet
(about 90 MB for this file, many small C allocations) while its rows are read. The parser now
reads and converts 5,000 rows at a time and lets each chunk's cells go, builds the rows'
value dicts only after the sheet is gone, and hands the sheet's freed pages back to the
system (glibc ``malloc_trim``; Python's allocator cannot reuse them); the rows' duplicate
keys reuse the credit code and name strings when normalising leaves them as they are.
Before -> after: SQLite 478 -> 370 MB, PostgreSQL 439 -> 384 MB (Django baseline 179 /
188 MB). The peak is now the in-file duplicate marking (every row's keys beside its values)
and the read, about even (SQLite, sampled: 368 and 366 MB).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from stdnum.cn import uscc

ROOT = Path(__file__).resolve().parent.parent
TMP = Path(tempfile.gettempdir())
DB = TMP / "salesops-bench-import.sqlite3"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/")
PG_NAME = os.environ.get("BENCH_PG_NAME", "salesops_bench_import")
MEDIA = TMP / "salesops-bench-import-media"

CITIES = [
    "深圳",
    "广州",
    "东莞",
    "佛山",
    "珠海",
    "惠州",
    "中山",
    "汕头",
    "江门",
    "湛江",
    "北京",
    "上海",
    "杭州",
    "南京",
    "苏州",
    "成都",
    "武汉",
    "西安",
    "长沙",
    "厦门",
]
WORDS = [
    "腾飞",
    "华信",
    "远航",
    "金桥",
    "鼎盛",
    "恒通",
    "瑞丰",
    "创新",
    "宏图",
    "海纳",
    "星辰",
    "博远",
    "联创",
    "优品",
    "天成",
    "嘉禾",
    "中科",
    "东方",
    "新港",
    "汇达",
    "明德",
    "安泰",
    "精工",
    "智联",
    "锦程",
    "和信",
    "永盛",
    "卓越",
    "宇辰",
    "丰源",
]
TRADES = [
    ("科技", "信息技术"),
    ("电子", "制造业"),
    ("物流", "交通运输"),
    ("建材", "建筑业"),
    ("医药", "医药卫生"),
    ("食品", "批发零售"),
    ("教育", "教育"),
    ("酒店", "住宿餐饮"),
    ("贸易", "批发零售"),
    ("机械", "制造业"),
    ("传媒", "文化传媒"),
    ("地产", "房地产"),
]
FORMS = ["有限公司", "股份有限公司", "集团有限公司", "实业有限公司"]
STAGES = (
    ["客户资料"] * 40
    + ["目标客户"] * 25
    + ["建立关系"] * 15
    + ["达成意向"] * 10
    + ["成交"] * 6
    + ["流失"] * 4
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "晓东",
    "海燕",
    "志强",
    "建华",
    "雪梅",
    "文博",
    "子涵",
    "浩然",
]
CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
HEADERS = [
    "客户名称",
    "客户简称",
    "统一社会信用代码",
    "客户编号",
    "所属行业",
    "省份",
    "城市",
    "地址",
    "联系人",
    "手机号码",
    "客户经理",
    "阶段",
    "阶段日期",
    "备注",
]
OWNERS = 40


def build_workbook(path: Path, rows: int, seed: int = 7) -> None:
    """A customer list like an operator's CRM export: unique names, credit codes, codes
    and mobiles, owners by username, funnel stages with dates, 3% blank phones."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("客户清单")
    ws.append(["客户清单（导出）"])
    ws.append(HEADERS)
    names: set[str] = set()
    phones: set[str] = set()
    today = dt.date.today()
    for i in range(rows):
        trade, industry = rng.choice(TRADES)
        city = rng.choice(CITIES)
        while True:
            short = rng.choice(WORDS) + rng.choice(WORDS)
            name = f"{city}{short}{trade}{rng.choice(FORMS)}"
            if name not in names:
                break
            name = f"{city}{short}{trade}{len(names) % 997}号{rng.choice(FORMS)}"
            if name not in names:
                break
        names.add(name)
        while True:
            phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
            if phone not in phones:
                phones.add(phone)
                break
        credit = (
            "91" + f"{440300 + i % 500:06d}" + "".join(rng.choice(CODE_CHARS) for _ in range(9))
        )
        credit += uscc.calc_check_digit(credit)  # a valid GB 32100-2015 code
        ws.append(
            [
                name,
                short,
                credit,
                f"C{i:07d}",
                industry,
                "广东" if city in CITIES[:10] else "其他",
                city + "市",
                f"{city}市{rng.choice(WORDS)}路{rng.randint(1, 999)}号",
                rng.choice(SURNAMES) + rng.choice(GIVEN),
                "" if rng.random() < 0.03 else phone,
                f"bench{rng.randrange(OWNERS):02d}",
                rng.choice(STAGES),
                today - dt.timedelta(days=rng.randint(0, 360)),
                "",
            ]
        )
    wb.save(path)


def _database_url(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{DB}"
    return PG_URL.rstrip("/") + "/" + PG_NAME


def _setup_django(db: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "salesops.settings"
    os.environ["DATABASE_URL"] = _database_url(db)
    os.environ["MEDIA_ROOT"] = str(MEDIA)
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnop")
    os.environ["DEBUG"] = "0"  # DEBUG keeps every SQL query in memory
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _fresh_postgres() -> None:
    import psycopg

    with psycopg.connect(PG_URL.rstrip("/") + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_NAME}"')


def prepare_database(db: str) -> None:
    """A fresh, migrated database with a team and OWNERS reps (run in a child process)."""
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DB}{suffix}").unlink(missing_ok=True)
    else:
        _fresh_postgres()
    _setup_django(db)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.models import Membership, OrgUnit, User

    company = OrgUnit.objects.create(name="基准公司", code="bench", kind="company")
    team = OrgUnit.objects.create(name="基准组", code="bench-1", kind="team", parent=company)
    users = User.objects.bulk_create(
        User(username=f"bench{i:02d}", display_name=f"销售{i:02d}") for i in range(OWNERS)
    )
    Membership.objects.bulk_create(
        Membership(user=u, unit=team, role="rep", start=dt.date(2020, 1, 1)) for u in users
    )


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_STAGES = (
    ("read+convert (parse)", "customers.import_service.execute", "_parse"),
    ("row checks", "customers.import_service.execute", "_validate_rows"),
    ("in-file duplicates", "customers.import_service.execute", "mark_duplicates_in_file"),
    ("planning", "customers.import_service.execute", "_plan_customers"),
    ("building new rows", "customers.import_service.customer_rows", "_new_customer_rows"),
    ("  of it pinyin", "customers.import_service.customer_rows", "derived_search_fields"),
    ("inserts", "customers.import_service.customer_rows", "fast_insert"),
)
"""``--stages``: label, module and name of each function whose CPU seconds are summed
(the execute step only; the preview's first rows are not counted)."""


def _time_stages() -> dict[str, float]:
    """Wrap the functions of :data:`_STAGES` in their modules with CPU-time counters;
    returns the counters (seconds by label), filled as the import runs. A wrapper costs
    well under a microsecond a call."""
    import importlib

    spent = dict.fromkeys((label for label, _, _ in _STAGES), 0.0)
    for label, module_name, name in _STAGES:
        module = importlib.import_module(module_name)
        function = getattr(module, name, None)
        if function is None:  # the row builder before 2026-12-08 worked one row at a time
            name = name.removesuffix("s")
            function = getattr(module, name)

        def timed(*args: object, _f: Any = function, _label: str = label, **kwargs: object) -> Any:
            started = time.process_time()
            try:
                return _f(*args, **kwargs)
            finally:
                spent[_label] += time.process_time() - started

        setattr(module, name, timed)
    return spent


def measure(path: Path, db: str, profile: bool, stages: bool = False) -> None:
    """Child process: upload, preview, import, then the bare calamine read; print."""
    _setup_django(db)
    import python_calamine
    from django.core.files import File

    from customers.import_service import import_job_create, import_job_execute, import_preview
    from customers.models import Customer

    baseline = maxrss_mb()

    def run() -> object:
        with path.open("rb") as fh:
            job = import_job_create(
                by=None, upload=File(fh, name=path.name), kind="customers", options={}
            )
        import_preview(job=job)
        return import_job_execute(job=job)

    spent = _time_stages() if stages else None
    started = time.process_time()
    wall = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.process_time)  # CPU, not waiting
        job = profiler.runcall(run)
        import_seconds = time.process_time() - started
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    else:
        job = run()
        import_seconds = time.process_time() - started
    wall = time.perf_counter() - wall
    peak = maxrss_mb()

    started = time.process_time()
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    cells = sheet.to_python()
    read_seconds = time.process_time() - started
    rows = job.total_rows  # type: ignore[attr-defined]
    print(f"[{db}] file: {path} ({path.stat().st_size / 1e6:.1f} MB, {len(cells) - 2} data rows)")
    print(
        f"[{db}] job: status={job.status} rows={rows} created={job.created_count} "  # type: ignore[attr-defined]
        f"duplicates={job.duplicate_count} rejected={job.rejected_count}; "  # type: ignore[attr-defined]
        f"customers in db={Customer.objects.count()}"
    )
    print(f"[{db}] bare python-calamine read: {read_seconds:.2f} s CPU")
    print(
        f"[{db}] whole import (upload, preview, execute): {import_seconds:.2f} s CPU "
        f"({wall:.2f} s wall) = {rows / import_seconds:,.0f} rows per CPU second"
    )
    ratio = import_seconds / read_seconds
    print(f"[{db}] ratio import / bare read (CPU): {ratio:.2f}x (aim <= 3x)")
    print(
        f"[{db}] peak memory (maxrss): {peak:.0f} MB "
        f"(Django baseline {baseline:.0f} MB; aim < 400 MB)"
    )
    if spent is not None:
        print(f"[{db}] CPU seconds per stage of the execute step:")
        for label, seconds in spent.items():
            print(f"[{db}]   {label:<22} {seconds:6.2f} s")
    print(f"{_RESULT} {db} {read_seconds:.2f} {import_seconds:.2f} {ratio:.2f} {peak:.0f}")


_RESULT = "RESULT"
"""Marks the line a measuring child prints for the parent's summary table."""


def _summary(results: list[list[str]]) -> None:
    """The figures of every database measured, one line each."""
    print()
    print(f"{'database':<11} {'bare read':>10} {'import':>9} {'ratio':>6} {'peak RSS':>9}")
    for db, read, imported, ratio, peak in results:
        print(f"{db:<11} {read:>7} s {imported:>7} s {ratio:>5}x {peak:>6} MB")
    print("(CPU seconds of this process: time.process_time; aim: ratio <= 3, peak < 400 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--stages", action="store_true", help="CPU seconds per stage")
    parser.add_argument("--rebuild", action="store_true", help="build the workbook again")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare_database(args.prepare)
        return
    if args.measure:
        measure(Path(args.measure), args.db, args.profile, args.stages)
        return
    path = TMP / f"salesops-bench-customers-{args.rows}.xlsx"
    if args.rebuild or not path.exists():
        started = time.perf_counter()
        build_workbook(path, args.rows)
        print(f"built {path} in {time.perf_counter() - started:.1f} s")
    else:
        print(f"reusing {path} (--rebuild to make it again)")
    results: list[list[str]] = []
    for db in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        prepare = [sys.executable, __file__, "--prepare", db]
        if subprocess.run(prepare, check=False).returncode:  # noqa: S603 - our own script
            print(f"[{db}] database not available; skipped")
            continue
        command = [sys.executable, __file__, "--measure", str(path), "--db", db]
        if args.profile:
            command.append("--profile")
        if args.stages:
            command.append("--stages")
        done = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603 - our own script
        for line in done.stdout.splitlines():
            if line.startswith(_RESULT + " "):
                results.append(line.split()[1:])
            else:
                print(line)
        sys.stderr.write(done.stderr)
    _summary(results)


if __name__ == "__main__":
    main()
