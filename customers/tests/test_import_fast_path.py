"""The import's fast path: raw inserts, the inlined pinyin segmenter, the preview that
parses only the rows it shows (the speed of the whole is measured by
bench/import_customers.py, not here)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import zipfile
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin.seg import mmseg

from customers import pinyin as services
from customers.import_service import import_job_create, import_preview
from customers.import_service.fast_insert import allocate_ids, fast_insert
from customers.models import Contact, Customer, Ownership, Stage, StageChange
from customers.tests.test_import_support import run_import, xlsx_bytes
from spreadsheets.reading import open_sheet


def _segmented(text: str) -> str:
    """The initials through pypinyin's own segmenter (what the inlined one must equal)."""
    return "".join(services._word_initials(w) for w in mmseg.seg.cut(text))


@pytest.mark.parametrize(
    "text",
    [
        "深圳腾飞科技有限公司",
        "重庆长安汽车股份有限公司",
        "银行行长",
        "长春高新技术产业集团",
        "中国平安保险（集团）股份有限公司",
        "万科Ａ",
        "ABC科技2024",
        "乐视网信息技术（北京）股份有限公司",
        "朝阳区",
        "中",
        "",
        "行",
    ],
)
def test_inlined_segmenter_gives_the_initials_of_pypinyins_own(text):
    assert services.pinyin_initials(text) == _segmented(text)


_COMMON = (
    "深圳长安银行行长重庆中国平安科技有限公司集团股份朝阳区"
    + "乐视网信息技术北京上海新阳半导体材料"
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_COMMON, max_size=16))
def test_first_words_cached_by_their_start_give_pypinyins_words(text):
    # Names over a few characters share their starts, so the head cache of _next_word
    # is both filled and used here; every cut must still be pypinyin's.
    assert services._words(text) == list(mmseg.seg.cut(text))
    assert services._words(text) == list(mmseg.seg.cut(text))


def test_inlined_segmenter_agrees_on_every_real_listed_company_name():
    from customers.tests.test_import_support import FIXTURES

    data = (FIXTURES / "szse_a_share_companies_2025.xlsx").read_bytes()
    rows = [row for _, row in open_sheet(data).rows]
    names = {str(c) for row in rows for c in row[:6] if isinstance(c, str)}
    assert len(names) > 2000
    assert [n for n in names if services.pinyin_initials(n) != _segmented(n)] == []


def test_fast_insert_writes_defaults_and_returns_new_ids_in_order(org):
    before = Customer.objects.create(name="先有公司", name_key="先有公司")
    at = timezone.make_aware(dt.datetime(2026, 3, 4, 0, 0))
    with transaction.atomic():
        ids = fast_insert(
            Customer,
            ["name", "name_key", "stage", "stage_changed_at", "owner_id", "team_id"],
            [
                ("甲公司", "甲公司", "target", at, org.rep.pk, org.team_a.pk),
                ("乙公司", "乙公司", "lead", at, None, org.team_a.pk),
            ],
            with_ids=True,
        )
        fast_insert(Contact, ["customer_id", "name", "phone"], [(ids[0], "小王", "13800138000")])
    assert ids == [before.pk + 1, before.pk + 2]
    first, second = Customer.objects.filter(pk__in=ids).order_by("pk")
    assert (first.name, first.stage, first.stage_changed_at) == ("甲公司", "target", at)
    assert (first.owner_id, second.owner_id) == (org.rep.pk, None)
    assert first.segment == Customer._meta.get_field("segment").get_default()
    assert first.created_at is not None
    assert (first.notes, first.listed_on) == ("", None)
    assert Contact.objects.get().customer_id == ids[0]
    with transaction.atomic():
        assert allocate_ids(Customer, 2) == [ids[1] + 1, ids[1] + 2]


def test_fast_insert_refuses_a_column_the_model_does_not_have(org):
    with pytest.raises(ValueError, match="no columns"), transaction.atomic():
        fast_insert(Customer, ["name", "colour"], [("甲", "red")])


def test_imported_rows_get_their_history_rows_through_the_fast_path(org):
    job = run_import(
        xlsx_bytes(
            [
                ["客户名称", "客户经理", "阶段", "阶段日期", "联系人", "手机号码"],
                [
                    "甲公司",
                    org.rep.username,
                    "目标客户",
                    dt.date(2026, 1, 5),
                    "小王",
                    "13800138000",
                ],
                ["乙公司", "", "", None, "", ""],
            ]
        ),
        team=org.team_a,
    )
    assert (job.created_count, job.rejected_count) == (2, 0)
    a = Customer.objects.get(name="甲公司")
    b = Customer.objects.get(name="乙公司")
    assert (a.owner_id, a.team_id, a.stage) == (org.rep.pk, org.team_a.pk, "target")
    assert timezone.localdate(a.stage_changed_at) == dt.date(2026, 1, 5)
    assert (b.owner_id, b.pool_since is not None) == (None, True)
    assert (a.pinyin_initials, a.name_key) == ("jgs", "甲公司")
    change = StageChange.objects.get(customer=a)
    assert (change.from_stage, change.to_stage, change.rep_id, change.team_id) == (
        "lead",
        "target",
        org.rep.pk,
        org.team_a.pk,
    )
    assert (change.at, change.source) == (a.stage_changed_at, "import")
    assert Ownership.objects.filter(customer__in=[a, b], end__isnull=True).count() == 2
    assert list(Contact.objects.values_list("customer_id", "phone")) == [(a.pk, "13800138000")]


def _sheet_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read("xl/worksheets/sheet1.xml")


def test_a_limited_read_parses_only_the_first_rows_and_gives_the_same_cells():
    rows = [["客户名称", "城市"]] + [[f"公司{i:05d}", "深圳"] for i in range(3000)]
    data = xlsx_bytes(rows)
    limited = list(open_sheet(data, max_rows=40).rows)
    assert len(limited) == 40
    assert limited == list(itertools.islice(open_sheet(data).rows, 40))
    assert len(list(open_sheet(data, max_rows=10_000).rows)) == 3001


def test_the_preview_of_a_long_file_shows_its_first_rows(org, monkeypatch):
    rows = [["客户名称", "城市"]] + [[f"公司{i:05d}", "深圳"] for i in range(3000)]
    job = import_job_create(
        by=None, upload=ContentFile(xlsx_bytes(rows), name="long.xlsx"), kind="customers"
    )
    parsed_sizes: list[int] = []
    real = zipfile.ZipFile.writestr

    def spy(self, name, data, *args, **kwargs):  # the cut copy of the sheet
        if str(name).startswith("xl/worksheets/"):
            parsed_sizes.append(len(data))
        return real(self, name, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", spy)
    preview = import_preview(job=job)
    assert [r.row_number for r in preview.rows][:3] == [2, 3, 4]
    assert parsed_sizes
    assert max(parsed_sizes) < len(_sheet_xml(xlsx_bytes(rows))) / 10


_ROWS = [
    [
        "客户名称",
        "客户简称",
        "统一社会信用代码",
        "客户经理",
        "阶段",
        "阶段日期",
        "联系人",
        "手机号码",
    ],
    [
        "深圳腾飞华信科技股份有限公司",
        "腾飞华信",
        "91440300MA5F0000X1",
        "{rep}",
        "目标客户",
        "2026-01-05",
        "小王",
        "13800138000",
    ],
    ["TCL科技集团股份有限公司", "TCL科技", "", "", "", "", "", ""],
    ["ＡＢＣ（中国）有限公司", "", "", "{rep}", "成交", "2026-02-01", "", "+86 138 0013 8001"],
    ["中国石油天然气股份有限公司", "中石油", "", "{rep}", "", "", "李雷", ""],
]


def _snapshot() -> list[tuple[tuple[object, ...], list[Any], list[Any], list[Any]]]:
    """Every customer with its history and contact rows, without ids and write times."""
    skip = {"id", "created_at", "updated_at", "stage_changed_at", "pool_since"}
    fields = [f.attname for f in Customer._meta.concrete_fields if f.attname not in skip]
    rows: list[tuple[tuple[object, ...], list[Any], list[Any], list[Any]]] = []
    for c in Customer.objects.order_by("name"):
        rows.append(
            (
                tuple(getattr(c, f) for f in fields),
                list(c.stage_changes.values_list("from_stage", "to_stage", "rep_id", "team_id")),
                list(c.ownerships.values_list("owner_id", "team_id", "reason", "end")),
                list(c.contacts.values_list("name", "phone")),
            )
        )
    return rows


def test_a_file_imported_through_the_fast_path_gives_the_rows_the_orm_derives(org):
    """Raw inserts, the one-pass pinyin and the chunk size change nothing that is written:
    the search fields equal what customer_fill_derived (the services' rule) derives, and a
    chunk of one row writes the same rows as the default chunks."""
    from customers.import_service import import_job_create, import_job_execute
    from customers.services import customer_fill_derived

    rows = [[cell.format(rep=org.rep.username) for cell in row] for row in _ROWS]
    data = xlsx_bytes(rows)
    job = run_import(data, team=org.team_a)
    assert (job.created_count, job.rejected_count) == (4, 0)
    for customer in Customer.objects.all():
        expected = Customer(name=customer.name, short_name=customer.short_name)
        customer_fill_derived(expected)
        assert (customer.name_key, customer.pinyin_initials, customer.pinyin_search) == (
            expected.name_key,
            expected.pinyin_initials,
            expected.pinyin_search,
        )
    first = _snapshot()
    Customer.objects.all().delete()
    job = import_job_create(
        by=None,
        upload=ContentFile(data, name="again.xlsx"),
        kind="customers",
        options={"team": org.team_a},
    )
    import_job_execute(job=job, chunk_rows=1)
    assert _snapshot() == first


def test_chunk_size_grows_with_the_file_between_its_bounds():
    from customers.import_service.fields import chunk_rows_for

    assert [chunk_rows_for(n) for n in (0, 5, 20_000, 40_000, 100_000, 10**6)] == [
        1000,
        1000,
        1000,
        2000,
        5000,
        5000,
    ]


def test_sqlite_import_cache_is_restored_and_owner_lookups_use_the_composite_index(db):
    from django.db import connection

    from customers.import_service.fast_insert import bulk_write_settings

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's page cache and query plans")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        with bulk_write_settings():
            cursor.execute("PRAGMA cache_size")
            assert cursor.fetchone()[0] == -16 * 1024
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == before
    # The owner's and team's own indexes were dropped as duplicates of these.
    plan = Customer.objects.filter(owner_id=1).explain()
    assert "customers_c_owner_i" in plan
    plan = Customer.objects.filter(team_id=1).explain()
    assert "customers_c_team_id" in plan
    plan = StageChange.objects.filter(rep_id=1).explain()
    assert "customers_s_rep_id" in plan


def test_fast_insert_converts_dates_column_by_column_and_refuses_a_short_row(org):
    founded = dt.date(2001, 2, 3)
    with transaction.atomic():
        ids = fast_insert(
            Customer,
            ["name", "name_key", "founded_on", "team_id"],
            [("甲", "甲", founded, org.team_a.pk), ("乙", "乙", None, org.team_a.pk)],
            with_ids=True,
        )
        assert len(fast_insert(Customer, [], [(), ()], with_ids=True)) == 2
    assert list(Customer.objects.filter(pk__in=ids).order_by("pk").values_list("founded_on")) == [
        (founded,),
        (None,),
    ]
    assert Customer.objects.filter(name="").count() == 2
    with pytest.raises(ValueError, match="a row has 1 values, 2 fields"), transaction.atomic():
        fast_insert(Customer, ["name", "name_key"], [("丙", "丙"), ("丁",)])


def _indexed_columns(table: str) -> set[tuple[str, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        tuple(c["columns"])
        for c in constraints.values()
        if c["index"] and not c["primary_key"] and not c["unique"]
    }


def test_the_customer_tables_keep_only_the_indexes_their_queries_use(db):
    """customers/migrations/0011: stage (asked with an owner or team), created_by,
    changed_by and by (shown, never searched) lost their own indexes; the duplicate keys,
    the name sort, the industry filter and the composites stay."""
    assert _indexed_columns("customers_customer") == {
        ("name_key",),
        ("pinyin_initials",),
        ("credit_code",),
        ("external_code",),
        ("industry",),
        ("team_id", "stage"),
        ("owner_id", "stage"),
        ("last_activity_at",),
    }
    assert _indexed_columns("customers_ownership") == {
        ("customer_id",),
        ("owner_id",),
        ("team_id",),
    }
    assert _indexed_columns("customers_stagechange") == {
        ("at",),
        ("customer_id",),
        ("team_id", "at"),
        ("rep_id", "at"),
    }
    assert _indexed_columns("customers_contact") == {("customer_id",), ("phone",)}


def test_duplicate_lookups_and_stage_filters_use_an_index(db):
    """The import's duplicate lookups (one JSON parameter per key kind) and the list's
    stage filters (with an owner or team) search an index, not the table. PostgreSQL
    would scan tables this small anyway, so there sequential scans are turned off for
    the question "can an index serve it"."""
    from django.db import connection

    from customers.import_service.customer_rows import _in_list

    postgres = connection.vendor == "postgresql"
    explain = "EXPLAIN" if postgres else "EXPLAIN QUERY PLAN"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET LOCAL enable_seqscan = off")
        for table, column, index in (
            ("customers_customer", "credit_code", "customers_customer_credit_code"),
            ("customers_customer", "external_code", "customers_customer_external_code"),
            ("customers_customer", "name_key", "customers_customer_name_key"),
            ("customers_contact", "phone", "customers_contact_phone"),
        ):
            params: list[Any] = []
            condition = _in_list(column, ["91440300MA5F0000X1", "甲公司"], params)
            assert len(params) == 1
            sql = f"{explain} SELECT id FROM {table} WHERE {condition}"  # noqa: S608 - test's own
            cursor.execute(sql, params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert index in plan, plan
            assert f"SCAN {table}" not in plan, plan
            assert "Seq Scan" not in plan, plan
        assert "customers_c_team_id" in Customer.objects.filter(team_id=1, stage="lead").explain()
        assert "customers_c_owner_i" in Customer.objects.filter(owner_id=1, stage="lead").explain()


def test_fast_insert_writes_awkward_text_and_typed_values_back_unchanged(org):
    """On PostgreSQL the rows go as COPY text built here (escapes, NULL, TextChoices,
    dates, aware datetimes); on SQLite through executemany: the same values come back."""
    from customers.import_service.fast_insert import _copy_column

    at = timezone.make_aware(dt.datetime(2026, 3, 4, 9, 30, 15, 123456))
    names = ["tab\there", "back\\slash", "line\nbreak", "cr\rhere", "\\N", "", "普通"]
    rows = [
        (name, f"k{i}", Stage.TARGET if i % 2 else "lead", at, dt.date(2001, 2, 3) if i else None)
        for i, name in enumerate(names)
    ]
    with transaction.atomic():
        ids = fast_insert(
            Customer,
            ["name", "name_key", "stage", "stage_changed_at", "founded_on"],
            rows,
            with_ids=True,
        )
        fast_insert(Contact, ["customer_id", "name", "phone"], [(ids[0], "a\tb", "1\\2")])
    got = list(
        Customer.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list("name", "name_key", "stage", "stage_changed_at", "founded_on")
    )
    assert got == [(n, k, str(s), a, f) for n, k, s, a, f in rows]
    contact = Contact.objects.get(customer_id=ids[0])
    assert (contact.name, contact.phone, contact.is_project_owner) == ("a\tb", "1\\2", False)
    assert _copy_column(["a\tb", None, "\\N"]) == ["a\\tb", "\\N", "\\\\N"]
    assert _copy_column([object()]) is None
