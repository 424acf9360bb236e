"""The import service: job creation and refusals, preview, writes in chunks, duplicates,
owners and teams, stage history, contacts, revenue upserts, billing months, the error
workbook, and resuming after a crash."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.models import Membership, OrgUnit
from accounts.scoping import local_today
from customers.import_messages import translate_reason
from customers.import_service import (
    billing_month_close,
    import_job_create,
    import_job_execute,
    import_job_set_mapping,
    import_preview,
)
from customers.import_service import execute as import_execute
from customers.import_service.resolving import _Resolver
from customers.models import (
    BillingMonth,
    Contact,
    Customer,
    ImportJob,
    Ownership,
    RevenueRecord,
    StageChange,
)
from customers.services import team_of
from customers.tests.test_import_support import (
    english,  # noqa: F401 - fixture
    last_month,
    media,  # noqa: F401 - fixture
    run_import,
    xlsx_bytes,
)
from salesops.events import ImportCompleted, handlers_for, subscribe, unsubscribe

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media", "english")]

HEAD = [
    "客户名称",
    "统一社会信用代码",
    "客户编号",
    "联系人",
    "手机号码",
    "客户经理",
    "团队",
    "阶段",
    "阶段日期",
]


def _row(
    name: str,
    credit: str = "",
    code: str = "",
    contact: str = "",
    phone: object = "",
    owner: str = "",
    team: str = "",
    stage: str = "",
    day: object = "",
) -> list[object]:
    return [name, credit, code, contact, phone, owner, team, stage, day]


# --------------------------------------------------------------------------- create
def test_create_refuses_html_saved_as_xls():
    html = b"<html><body><table><tr><td>\xe5\x90\x8d\xe7\xa7\xb0</td></tr></table></body></html>"
    with pytest.raises(ValidationError) as caught:
        import_job_create(by=None, upload=ContentFile(html, name="export.xls"), kind="customers")
    assert "web page" in caught.value.message_dict["file"][0]
    assert ImportJob.objects.count() == 0


def test_create_refuses_file_over_the_size_limit(settings):
    settings.IMPORT_MAX_BYTES = 1000
    data = xlsx_bytes([["客户名称"], *[[f"公司{i}"] for i in range(200)]])
    with pytest.raises(ValidationError) as caught:
        import_job_create(by=None, upload=ContentFile(data, name="big.xlsx"), kind="customers")
    assert "the limit is 0 MB" in caught.value.message_dict["file"][0]
    assert ImportJob.objects.count() == 0


def test_create_refuses_zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    with pytest.raises(ValidationError) as caught:
        import_job_create(
            by=None, upload=ContentFile(buffer.getvalue(), name="bomb.xlsx"), kind="customers"
        )
    assert "zip bomb" in caught.value.message_dict["file"][0]


def test_create_puts_an_unknown_sheet_on_the_sheet_field():
    data = xlsx_bytes([["客户名称"], ["甲公司"]], title="客户")
    with pytest.raises(ValidationError) as caught:
        import_job_create(
            by=None,
            upload=ContentFile(data, name="a.xlsx"),
            kind="customers",
            options={"sheet": "没有"},
        )
    assert "客户" in caught.value.message_dict["sheet"][0]


def test_create_records_sheet_mapping_and_options(org):
    data = xlsx_bytes([["客户清单"], HEAD, _row("甲公司")], title="客户")
    job = import_job_create(
        by=org.admin,
        upload=ContentFile(data, name="C:\\exports\\list.xlsx"),
        kind="customers",
        options={"team": org.team_a, "on_duplicate": "update", "date_order": "dmy"},
    )
    assert job.status == ImportJob.Status.PREVIEW
    assert job.original_name == "list.xlsx"
    assert job.sheet == "客户"
    assert job.mapping["0"] == "name"
    assert job.mapping["5"] == "owner"
    assert (job.team, job.on_duplicate, job.date_order) == (org.team_a, "update", "dmy")
    assert job.file.name.endswith(".xlsx")


# --------------------------------------------------------------------------- preview
def test_preview_shows_stored_values_actions_and_problems(org):
    Customer.objects.create(
        name="老客户有限公司", name_key="老客户有限公司", credit_code="91440300MA5ABCDE1H"
    )
    data = xlsx_bytes(
        [
            HEAD,
            _row(
                "新客户有限公司",
                phone=13800138000.0,
                owner="rep",
                stage="目标客户",
                day="2024-10-16",
            ),
            _row("老客户有限公司", credit="91440300MA5ABCDE1H"),
            _row("坏客户", owner="nobody", stage="月球"),
        ]
    )
    job = import_job_create(by=org.admin, upload=ContentFile(data, name="p.xlsx"), kind="customers")
    preview = import_preview(job)
    assert [r.action for r in preview.rows] == ["create", "duplicate", "reject"]
    first = {c.field: c for c in preview.rows[0].cells}
    assert first["contact_phone"].value == "13800138000"
    assert first["owner"].value == "张伟"  # the rep's display name
    assert first["stage"].value == "Target customer"
    assert first["stage_date"].value == "2024-10-16"
    assert "matches customer" in preview.rows[1].note
    bad = {c.field: c for c in preview.rows[2].cells}
    assert bad["owner"].error == "unknown user nobody"
    assert "unknown stage" in bad["stage"].error
    assert preview.counts == {"create": 1, "duplicate": 1, "reject": 1}
    assert preview.missing_required == []
    assert Customer.objects.count() == 1  # the preview writes nothing


def test_preview_lists_unknown_columns_and_missing_name(org):
    data = xlsx_bytes([["姓名", "性别"], ["张三", "男"]])
    job = import_job_create(by=org.admin, upload=ContentFile(data, name="p.xlsx"), kind="customers")
    preview = import_preview(job)
    assert preview.unknown_columns == ["性别"]
    assert preview.missing_required == ["Customer name"]
    assert preview.rows[0].action == "reject"


def test_mapping_can_be_changed_while_in_preview(org):
    data = xlsx_bytes([["姓名", "性别"], ["张三", "男"]])
    job = import_job_create(
        by=org.admin,
        upload=ContentFile(data, name="p.xlsx"),
        kind="customers",
        options={"team": org.team_a},
    )
    import_job_set_mapping(job=job, mapping={0: "name", 1: None})
    preview = import_preview(job)
    assert preview.rows[0].action == "create"
    assert preview.unknown_columns == ["性别"]
    with pytest.raises(ValidationError):
        import_job_set_mapping(job=job, mapping={0: "name", 1: "name"})


# --------------------------------------------------------------------------- owners, teams
def test_owner_by_username_or_display_name_and_unknown_owner_is_a_row_error(org):
    data = xlsx_bytes(
        [
            HEAD,
            _row("甲公司", owner="rep"),
            _row("乙公司", owner="刘洋"),
            _row("丙公司", owner="王五"),
        ]
    )
    job = run_import(data)
    assert (job.created_count, job.rejected_count) == (2, 1)
    assert job.errors == [
        {
            "row": 4,
            "field": "owner",
            "column": "客户经理",
            "reason": "unknown user 王五",
            "message": "unknown user %(name)s",
            "params": {"name": "王五"},
        }
    ]
    a = Customer.objects.get(name="甲公司")
    b = Customer.objects.get(name="乙公司")
    assert (a.owner, a.team) == (org.rep, org.team_a)
    assert (b.owner, b.team) == (org.rep_b, org.team_b)
    own = Ownership.objects.get(customer=a)
    assert (own.owner, own.team, own.end) == (org.rep, org.team_a, None)


def test_no_owner_goes_to_the_public_pool_of_the_team(org):
    data = xlsx_bytes([HEAD, _row("甲公司"), _row("乙公司", team="north-2")])
    job = run_import(data, team=org.team_a)
    assert job.created_count == 2
    a = Customer.objects.get(name="甲公司")
    b = Customer.objects.get(name="乙公司")
    assert (a.owner, a.team, a.in_pool) == (None, org.team_a, True)
    assert a.pool_since is not None
    assert b.team == org.team_b


def test_job_owner_is_the_default_and_unknown_team_is_rejected(org):
    data = xlsx_bytes([HEAD, _row("甲公司"), _row("乙公司", team="nowhere")])
    job = run_import(data, owner=org.teammate)
    assert Customer.objects.get(name="甲公司").owner == org.teammate
    assert job.errors[0]["reason"] == "unknown team nowhere"


def test_segment_defaults_to_the_teams_segment(org):
    OrgUnit.objects.filter(pk=org.team_b.pk).update(segment="group")
    data = xlsx_bytes([HEAD, _row("甲公司", team="north-2"), _row("乙公司", team="north-1")])
    run_import(data)
    assert Customer.objects.get(name="甲公司").segment == "group"
    assert Customer.objects.get(name="乙公司").segment == "mass"


# --------------------------------------------------------------------------- stages
def test_stage_and_date_make_one_change_from_lead_attributed_to_the_team_then(org):
    # The rep moved from team_b to team_a on 2024-06-01: a deal dated before the move
    # counts for team_b (docs/domain section 9), the customer now belongs to team_a.
    Membership.objects.filter(user=org.rep).update(start=dt.date(2024, 6, 1))
    Membership.objects.create(
        user=org.rep,
        unit=org.team_b,
        role="rep",
        start=dt.date(2020, 1, 1),
        end=dt.date(2024, 5, 31),
    )
    data = xlsx_bytes(
        [
            HEAD,
            _row("甲公司", owner="rep", stage="成交", day="2024/3/5"),
            _row("乙公司", owner="rep", stage="客户资料", day="2024-07-01"),
        ]
    )
    run_import(data)
    a = Customer.objects.get(name="甲公司")
    assert a.stage == "deal"
    assert a.team == org.team_a
    assert timezone.localdate(a.stage_changed_at) == dt.date(2024, 3, 5)
    change = StageChange.objects.get(customer=a)
    assert (change.from_stage, change.to_stage, change.source) == ("lead", "deal", "import")
    assert (change.rep, change.team) == (org.rep, org.team_b)
    assert timezone.localdate(change.at) == dt.date(2024, 3, 5)
    b = Customer.objects.get(name="乙公司")
    assert b.stage == "lead"
    assert not StageChange.objects.filter(customer=b).exists()
    assert timezone.localdate(b.stage_changed_at) == dt.date(2024, 7, 1)


def test_resolver_team_matches_services_team_of(org):
    Membership.objects.create(
        user=org.rep,
        unit=org.team_b,
        role="rep",
        start=dt.date(2019, 1, 1),
        end=dt.date(2019, 12, 31),
    )
    resolver = _Resolver(ImportJob(kind="customers", owner=org.rep), [])
    for day in (dt.date(2019, 6, 1), dt.date(2020, 6, 1), dt.date(2018, 1, 1)):
        assert resolver.team_of(org.rep, day) == team_of(org.rep, day)


def test_stage_date_in_the_future_is_a_row_error(org):
    tomorrow = local_today() + dt.timedelta(days=1)
    job = run_import(xlsx_bytes([HEAD, _row("甲公司", stage="目标客户", day=tomorrow)]))
    assert job.rejected_count == 1
    assert job.errors[0]["field"] == "stage_date"
    assert "in the future" in job.errors[0]["reason"]


# --------------------------------------------------------------------------- contacts
def test_contact_columns_make_a_contact_with_the_phone_as_text(org):
    job = run_import(
        xlsx_bytes([HEAD, _row("甲公司", contact="小梁", phone=13000000000.0)]), team=org.team_a
    )
    assert job.created_count == 1
    contact = Contact.objects.get()
    assert (contact.name, contact.phone) == ("小梁", "13000000000")


def test_name_key_and_pinyin_initials_are_filled(org):
    run_import(
        xlsx_bytes([["客户名称", "简称"], ["深圳腾飞科技有限公司", "腾飞"]]), team=org.team_a
    )
    customer = Customer.objects.get()
    assert customer.name_key == "深圳腾飞科技有限公司"
    assert customer.pinyin_initials.startswith("sztfkjyxgs")
    assert "tf" in customer.pinyin_initials.split()
    assert customer.pinyin_search == "|shen|zhen|teng|fei|ke|ji|you'xian'gong'si |teng|fei"


def test_too_long_value_is_a_row_error(org):
    job = run_import(xlsx_bytes([["客户名称"], ["甲" * 201], ["乙公司"]]), team=org.team_a)
    assert (job.created_count, job.rejected_count) == (1, 1)
    assert job.errors[0]["reason"] == "too long (at most 200 characters)"


# --------------------------------------------------------------------------- duplicates
@pytest.mark.parametrize(
    ("existing", "row"),
    [
        ({"credit_code": "91440300MA5ABCDE1H"}, _row("别名公司", credit="91440300ma5abcde1h")),
        ({"external_code": "000001"}, _row("别名公司", code="000001")),
        ({"name": "平安银行股份有限公司"}, _row(" 平安银行股份有限公司 ")),
        ({}, _row("别名公司", phone="13800138000")),
    ],
    ids=["credit_code", "external_code", "name", "phone"],
)
def test_existing_customer_is_found_and_skipped(org, existing, row):
    customer = Customer.objects.create(**{"name": "平安银行股份有限公司", **existing})
    customer.name_key = "平安银行股份有限公司"
    customer.save()
    Contact.objects.create(customer=customer, name="李四", phone="13800138000")
    job = run_import(xlsx_bytes([HEAD, row]))
    assert (job.created_count, job.duplicate_count) == (0, 1)
    assert Customer.objects.count() == 1


def test_update_fills_the_existing_customer_and_a_second_run_changes_nothing(org):
    customer = Customer.objects.create(name="甲公司", name_key="甲公司", external_code="A1")
    head = [
        "客户编号",
        "客户名称",
        "所属行业",
        "城市",
        "客户经理",
        "阶段",
        "阶段日期",
        "联系人",
        "手机",
    ]
    data = xlsx_bytes(
        [
            head,
            ["A1", "甲公司", "制造业", "", "rep", "达成意向", "2024-05-01", "王五", "13900000000"],
        ]
    )
    job = run_import(data, on_duplicate="update")
    assert (job.created_count, job.updated_count) == (0, 1)
    customer.refresh_from_db()
    assert (customer.industry, customer.owner, customer.team) == ("制造业", org.rep, org.team_a)
    assert customer.stage == "intent"
    assert StageChange.objects.get(customer=customer).from_stage == "lead"
    assert Contact.objects.get(customer=customer).phone == "13900000000"
    assert Ownership.objects.filter(customer=customer, end__isnull=True).count() == 1
    again = run_import(data, on_duplicate="update")
    assert (again.created_count, again.updated_count, again.duplicate_count) == (0, 0, 1)
    assert StageChange.objects.count() == 1
    assert Contact.objects.count() == 1


def test_create_anyway_makes_a_second_customer(org):
    Customer.objects.create(name="甲公司", name_key="甲公司")
    job = run_import(xlsx_bytes([HEAD, _row("甲公司")]), on_duplicate="create", team=org.team_a)
    assert job.created_count == 1
    assert Customer.objects.filter(name="甲公司").count() == 2


def test_rows_repeating_an_earlier_row_are_skipped_as_duplicates(org):
    job = run_import(
        xlsx_bytes([HEAD, _row("甲公司", code="1"), _row("甲 公司"), _row("乙公司")]),
        team=org.team_a,
    )
    assert (job.total_rows, job.created_count, job.duplicate_count) == (3, 2, 1)


def test_reimporting_the_same_file_with_skip_creates_nothing(org):
    data = xlsx_bytes([HEAD, *[_row(f"公司{i}", code=f"{i:06d}", owner="rep") for i in range(30)]])
    first = run_import(data)
    second = run_import(data)
    assert (first.created_count, second.created_count, second.duplicate_count) == (30, 0, 30)
    assert Customer.objects.count() == 30
    assert Ownership.objects.count() == 30


# --------------------------------------------------------------------------- chunks, crash
def test_chunks_record_progress_and_counts(org):
    data = xlsx_bytes([HEAD, *[_row(f"公司{i}") for i in range(7)], _row("", code="X")])
    job = import_job_create(
        by=None,
        upload=ContentFile(data, name="c.xlsx"),
        kind="customers",
        options={"team": org.team_a},
    )
    job = import_job_execute(job=job, chunk_rows=3)
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.processed_rows) == ("done", 8, 8)
    assert (job.created_count, job.rejected_count) == (7, 1)
    assert job.progress_percent == 100


def test_a_crash_keeps_saved_chunks_and_a_rerun_gives_the_same_result(org, monkeypatch):
    data = xlsx_bytes([HEAD, *[_row(f"公司{i}", owner="rep") for i in range(10)], _row("x" * 300)])
    job = import_job_create(by=None, upload=ContentFile(data, name="c.xlsx"), kind="customers")
    real = import_execute._apply_customers
    calls = {"n": 0}

    def crash_on_second_chunk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(import_execute, "_apply_customers", crash_on_second_chunk)
    with pytest.raises(RuntimeError):
        import_job_execute(job=job, chunk_rows=4)
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_count) == ("running", 4, 4)
    assert Customer.objects.count() == 4  # the first chunk was committed

    monkeypatch.setattr(import_execute, "_apply_customers", real)
    job = import_job_execute(job=ImportJob.objects.get(pk=job.pk), chunk_rows=4)
    assert (job.status, job.total_rows, job.created_count, job.duplicate_count) == (
        "done",
        11,
        10,
        0,
    )
    assert job.rejected_count == 1
    assert Customer.objects.count() == 10
    assert Ownership.objects.count() == 10
    # Running a finished job again does nothing.
    assert import_job_execute(job=job).created_count == 10
    assert Customer.objects.count() == 10


# --------------------------------------------------------------------------- revenue
def _customers_for_revenue():
    a = Customer.objects.create(name="甲公司", name_key="甲公司", external_code="000001")
    b = Customer.objects.create(name="乙公司", name_key="乙公司", credit_code="91440300MA5ABCDE1H")
    return a, b


def test_revenue_import_upserts_is_idempotent_and_closes_its_months(org):
    a, b = _customers_for_revenue()
    m1 = last_month()
    m0 = last_month(m1)
    head = ["客户编号", "统一社会信用代码", "客户名称", "账期", "产品", "出账收入(元)"]
    rows: list[list[object]] = [
        ["000001", "", "", m0.strftime("%Y-%m"), "宽带", "1,200.50"],
        ["000001", "", "", m1.strftime("%Y-%m"), "宽带", 1300],
        ["", "91440300MA5ABCDE1H", "", m1.strftime("%Y%m"), "", 88.8],
        ["", "", "乙公司", m1.strftime("%Y-%m"), "专线", 500],
    ]
    data = xlsx_bytes([head, *rows])
    job = run_import(data, kind="revenue", by=org.admin)
    assert (job.total_rows, job.created_count, job.rejected_count) == (4, 4, 0)
    assert RevenueRecord.objects.get(customer=a, month=m0).billed == Decimal("1200.50")
    assert RevenueRecord.objects.filter(customer=b).count() == 2
    assert set(BillingMonth.objects.values_list("month", flat=True)) == {m0, m1}
    assert BillingMonth.objects.get(month=m1).import_job == job

    again = run_import(data, kind="revenue")
    assert (again.created_count, again.updated_count, again.duplicate_count) == (0, 0, 4)
    assert RevenueRecord.objects.count() == 4
    assert BillingMonth.objects.count() == 2

    rows[1][5] = 1400
    changed = run_import(xlsx_bytes([head, *rows]), kind="revenue")
    assert (changed.created_count, changed.updated_count) == (0, 1)
    assert RevenueRecord.objects.get(customer=a, month=m1).billed == Decimal("1400.00")


def test_revenue_rows_without_a_known_customer_or_in_the_future_are_rejected(org):
    _customers_for_revenue()
    future = (local_today().replace(day=1) + dt.timedelta(days=40)).strftime("%Y-%m")
    data = xlsx_bytes(
        [
            ["客户编号", "账期", "出账收入"],
            ["999999", "2024-05", 10],
            ["000001", future, 10],
            ["000001", "2024-05", 10],
        ]
    )
    job = run_import(data, kind="revenue")
    assert (job.created_count, job.rejected_count) == (1, 2)
    assert job.errors[0] == {
        "row": 2,
        "field": "customer",
        "column": "",
        "reason": "no customer matches 999999",
        "message": "no customer matches %(value)s",
        "params": {"value": "999999"},
    }
    assert job.errors[1]["field"] == "month"
    assert list(BillingMonth.objects.values_list("month", flat=True)) == [dt.date(2024, 5, 1)]


def test_revenue_name_matching_two_customers_is_ambiguous(org):
    Customer.objects.create(name="甲公司", name_key="甲公司")
    Customer.objects.create(name="甲公司", name_key="甲公司")
    job = run_import(
        xlsx_bytes([["客户名称", "账期", "出账收入"], ["甲公司", "2024-05", 10]]), kind="revenue"
    )
    assert job.rejected_count == 1
    assert "2 customers match" in job.errors[0]["reason"]


# --------------------------------------------------------------------------- error workbook
def test_error_workbook_has_the_rejected_rows_as_they_were_plus_a_reason(org):
    data = xlsx_bytes(
        [
            ["客户清单"],
            HEAD,
            _row("好公司", code="000001"),
            _row("", code="000002", owner="=cmd|' /C calc'!A0"),
            _row("坏公司", code="000003", owner="nobody", phone=13800138000),
        ]
    )
    job = run_import(data, team=org.team_a)
    assert (job.created_count, job.rejected_count) == (1, 2)
    wb = load_workbook(io.BytesIO(job.error_file.read()))
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == (*HEAD, "Reason")
    assert rows[1][1:3] == (None, "000002")
    assert rows[1][5] == "=cmd|' /C calc'!A0"
    assert ws.cell(row=2, column=6).data_type == "s"  # text, never a formula
    assert rows[1][-1].startswith("row 4: 客户名称: required; 客户经理: unknown user =cmd")
    assert rows[2][2] == "000003"
    assert rows[2][4] == 13800138000
    assert rows[2][-1] == "row 5: 客户经理: unknown user nobody"
    assert len(rows) == 3


def test_error_workbook_writes_typed_formulas_as_text_and_numbers_as_numbers(org):
    data = xlsx_bytes([HEAD, _row('=HYPERLINK("x")', owner="nobody", phone=13800138000)])
    job = run_import(data)
    ws = load_workbook(io.BytesIO(job.error_file.read())).active
    name, phone = ws.cell(row=2, column=1), ws.cell(row=2, column=5)
    assert (name.value, name.data_type) == ('=HYPERLINK("x")', "s")  # never a formula
    assert name.quotePrefix
    assert (phone.value, phone.data_type) == (13800138000, "n")


def test_error_workbook_reimports_after_fixing(org):
    data = xlsx_bytes([HEAD, _row("坏公司", owner="nobody")])
    job = run_import(data)
    wb = load_workbook(io.BytesIO(job.error_file.read()))
    ws = wb.active
    ws.cell(row=2, column=6).value = "rep"
    out = io.BytesIO()
    wb.save(out)
    fixed = run_import(out.getvalue())
    assert (fixed.created_count, fixed.rejected_count) == (1, 0)
    assert Customer.objects.get().owner == org.rep


# --------------------------------------------------------------------------- billing
def test_billing_month_close_is_idempotent_and_refuses_the_current_month(org):
    month = last_month()
    closed = billing_month_close(month=month.replace(day=15), by=org.admin)
    assert (closed.month, closed.closed_by) == (month, org.admin)
    assert billing_month_close(month=month, by=None).pk == closed.pk
    with pytest.raises(ValidationError):
        billing_month_close(month=local_today(), by=org.admin)
    assert BillingMonth.objects.count() == 1


# --------------------------------------------------------------------------- events
@pytest.fixture
def completed_events():
    """ImportCompleted events delivered to a subscriber, in order."""
    seen: list[ImportCompleted] = []
    subscribe(ImportCompleted, seen.append)
    yield seen
    unsubscribe(ImportCompleted, seen.append)


def test_a_completed_import_publishes_import_completed_after_commit(
    org, completed_events, django_capture_on_commit_callbacks
):
    data = xlsx_bytes([HEAD, _row("甲公司", owner="rep"), _row("乙公司", owner="rep")])
    job = import_job_create(
        by=org.rep,
        upload=ContentFile(data, name="c.xlsx"),
        kind="customers",
        options={"team": org.team_a},
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = import_job_execute(job=job)
    assert job.created_count == 2
    assert completed_events == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert completed_events == [ImportCompleted(job_id=job.pk, team_id=org.team_a.pk)]


def test_an_import_that_writes_nothing_publishes_no_event(
    org, completed_events, django_capture_on_commit_callbacks
):
    data = xlsx_bytes([HEAD, _row("甲公司", owner="rep")])
    with django_capture_on_commit_callbacks(execute=True):
        run_import(data)
    assert len(completed_events) == 1
    with django_capture_on_commit_callbacks(execute=True):
        again = run_import(data)  # the same file again: only duplicates
    assert (again.created_count, again.updated_count, again.duplicate_count) == (0, 0, 1)
    assert len(completed_events) == 1


def test_kpi_recomputes_after_an_import_through_the_event(org, completed_events):
    from kpi.services import on_import_completed

    assert on_import_completed in handlers_for(ImportCompleted)


# --------------------------------------------------------------------------- credit codes
@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("BADCODE", "not a unified social credit code: BADCODE has 7 characters; a code has 18"),
        (
            "91440300MA5ABCDE1X",
            "not a unified social credit code: the check character of 91440300MA5ABCDE1X is "
            "wrong (GB 32100-2015)",
        ),
        (
            "91440300MA5ABCDO1H",
            "not a unified social credit code: 91440300MA5ABCDO1H may only hold digits and "
            "capital letters other than I, O, Z, S and V",
        ),
    ],
)
def test_a_bad_credit_code_is_refused_with_row_field_and_reason(org, code, reason):
    """GB 32100-2015: 18 characters, the allowed letters, the check character."""
    data = xlsx_bytes(
        [["客户名称", "统一社会信用代码"], ["甲公司", code], ["乙公司", "91440300MA5ABCDE1H"]]
    )
    job = run_import(data, team=org.team_a)
    assert (job.created_count, job.rejected_count) == (1, 1)
    assert [(e["row"], e["field"], e["reason"]) for e in job.errors] == [(2, "credit_code", reason)]
    with translation.override("zh-hans"):
        said = translate_reason(job.errors[0])
    assert said.startswith("不是统一社会信用代码")
    assert code in said
