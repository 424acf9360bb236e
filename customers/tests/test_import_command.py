"""``manage.py import_customers``: every real file with its counts, exit codes 0/1/2,
the output format, options and --dry-run."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from customers.models import Contact, Customer, ImportJob, RevenueRecord
from customers.tests.test_import_support import (
    FIXTURES,
    NO_NAME_FILES,
    REAL_FILES,
    english,  # noqa: F401 - fixture
    import_team,
    media,  # noqa: F401 - fixture
    xlsx_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media", "english")]


def run(*args: str) -> tuple[int, str, str]:
    """Run the command with ``--team import-team`` (made here) unless another team is
    given, as a new customer needs a team (docs/domain, section 5, Public pool);
    return (exit status, stdout, stderr)."""
    if "--team" not in args:
        import_team()
        args = (*args, "--team", "import-team")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_customers", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_each_real_file_imports_with_its_counts(name):
    rows, created, rejected = REAL_FILES[name]
    code, out, _err = run(str(FIXTURES / name))
    lines = out.splitlines()
    assert lines[0] == (f"rows={rows} created={created} updated=0 duplicates=0 rejected={rejected}")
    assert code == (1 if rejected else 0)
    assert len(lines) == 1 + rejected
    assert Customer.objects.count() == created


def test_szse_list_keeps_codes_and_a_second_import_creates_nothing():
    path = str(FIXTURES / "szse_a_share_companies_2025.xlsx")
    run(path)
    bank = Customer.objects.get(external_code="000001")
    assert bank.name == "平安银行股份有限公司"
    assert bank.short_name == "平安银行"
    assert bank.listed_on == dt.date(1991, 4, 3)
    assert (bank.province, bank.city, bank.industry) == ("广东", "深圳市", "J 金融业")
    assert bank.owner is None
    assert bank.pinyin_initials.startswith("payhgfyxgs")
    code, out, _err = run(path)
    assert code == 0
    assert out.splitlines() == ["rows=2875 created=0 updated=0 duplicates=2875 rejected=0"]
    assert Customer.objects.count() == 2875


def test_text_codes_survive_in_csv_files():
    run(str(FIXTURES / "tushare_stock_basic.csv"))
    assert Customer.objects.get(external_code="000001").name == "平安银行"
    assert Customer.objects.filter(external_code="1").count() == 0


def test_jsherp_template_maps_the_starred_name_and_keeps_phones_as_text():
    code, out, _err = run(str(FIXTURES / "jshERP_customer_template.xls"))
    assert code == 0
    phones = dict(Contact.objects.values_list("customer__name", "phone"))
    assert phones == {"客户a": "13000000000", "客户b": "15000000000"}
    assert set(Contact.objects.values_list("name", flat=True)) == {"小梁", "小魏"}


@pytest.mark.parametrize("name", sorted(NO_NAME_FILES))
def test_a_file_without_a_name_column_is_refused_once_naming_its_columns(name):
    code, out, err = run(str(FIXTURES / name))
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("No column is mapped to name, so every row would be rejected")
    assert "--map 'COLUMN=name'" in err
    assert ImportJob.objects.count() == 0
    assert Customer.objects.count() == 0


def test_rejected_rows_are_listed_with_row_field_and_reason():
    code, out, err = run(str(FIXTURES / "hutool_aaa.xls"), "--map", "姓名=name")
    assert code == 1
    assert out.splitlines() == [
        "rows=4 created=3 updated=0 duplicates=0 rejected=1",
        "row 4: Customer name: required",
    ]
    assert err.strip() == "Columns not imported: B 性别, C 年龄, D 分数"


def test_some_rows_rejected_keeps_the_good_ones_and_exits_1(tmp_path, org):
    path = tmp_path / "mixed.xlsx"
    path.write_bytes(xlsx_bytes([["客户名称", "客户经理"], ["甲公司", "rep"], ["乙公司", "ghost"]]))
    code, out, _err = run(str(path), "--team", "north-1")
    assert code == 1
    assert out.splitlines() == [
        "rows=2 created=1 updated=0 duplicates=0 rejected=1",
        "row 3: Owner: unknown user ghost",
    ]
    assert Customer.objects.get().owner == org.rep


def test_a_refused_file_exits_2_with_the_message_on_stderr(tmp_path):
    path = tmp_path / "export.xls"
    path.write_bytes(b"<html><body><table><tr><td>a</td></tr></table></body></html>")
    code, out, err = run(str(path))
    assert code == 2
    assert out == ""
    assert "web page (HTML)" in err
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--team", "nowhere"], "Unknown team code: nowhere"),
        (["--owner", "ghost"], "Unknown or inactive user: ghost"),
        (["--sheet", "Sheet9"], "no sheet Sheet9"),
    ],
)
def test_wrong_options_exit_2(org, args, message):
    code, out, err = run(str(FIXTURES / "hutool_aaa.xls"), *args)
    assert code == 2
    assert message in err


def test_missing_file_exits_2(tmp_path):
    code, _out, err = run(str(tmp_path / "nothing.xlsx"))
    assert code == 2
    assert "No such file" in err


def test_team_owner_sheet_and_update_options(org, tmp_path):
    path = tmp_path / "two.xlsx"
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["请在第二个工作表填写"])
    ws = wb.create_sheet("客户")
    ws.append(["客户名称", "所属行业", "阶段", "阶段日期"])
    ws.append(["甲公司", "制造业", "目标客户", "03/04/2024"])
    wb.save(path)
    code, out, _err = run(
        str(path),
        "--sheet",
        "客户",
        "--team",
        "north-1",
        "--owner",
        "teammate",
        "--date-order",
        "dmy",
    )
    assert (code, out.splitlines()[0]) == (0, "rows=1 created=1 updated=0 duplicates=0 rejected=0")
    customer = Customer.objects.get()
    assert (customer.owner, customer.team, customer.stage) == (org.teammate, org.team_a, "target")
    assert timezone.localdate(customer.stage_changes.get().at) == dt.date(2024, 4, 3)

    ws["B2"] = "金融业"
    wb.save(path)
    code, out, _err = run(
        str(path), "--sheet", "客户", "--on-duplicate", "update", "--date-order", "dmy"
    )
    assert out.splitlines()[0] == "rows=1 created=0 updated=1 duplicates=0 rejected=0"
    customer.refresh_from_db()
    assert customer.industry == "金融业"


def test_dry_run_prints_the_counts_and_saves_nothing(settings):
    code, out, _err = run(str(FIXTURES / "jshERP_customer_template.xls"), "--dry-run")
    assert (code, out.splitlines()) == (0, ["rows=2 created=2 updated=0 duplicates=0 rejected=0"])
    assert Customer.objects.count() == 0
    assert Contact.objects.count() == 0
    assert ImportJob.objects.count() == 0
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_dry_run_with_rejected_rows_exits_1_and_saves_nothing(settings):
    code, out, _err = run(str(FIXTURES / "hutool_aaa.xls"), "--dry-run", "--map", "A=name")
    assert code == 1
    assert out.splitlines()[0] == "rows=4 created=3 updated=0 duplicates=0 rejected=1"
    assert ImportJob.objects.count() == 0
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_revenue_kind(tmp_path):
    Customer.objects.create(name="平安银行", name_key="平安银行", external_code="000001")
    path = tmp_path / "bill.csv"
    path.write_text("客户编号,账期,出账收入\n000001,2024-05,100\n000009,2024-05,5\n", "utf-8")
    code, out, _err = run(str(path), "--kind", "revenue")
    assert code == 1
    assert out.splitlines() == [
        "rows=2 created=1 updated=0 duplicates=0 rejected=1",
        "row 3: no customer matches 000009",
    ]
    assert RevenueRecord.objects.get().month == dt.date(2024, 5, 1)
