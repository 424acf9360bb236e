"""Export: formulas written as text, text identifiers, real dates and numbers, CSV BOM,
the list's filters and the viewer's scope."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from customers.exporting import (
    COLUMNS,
    DATE,
    IDENT,
    NUMBER,
    TEXT,
    csv_chunks,
    xlsx_bytes,
)
from customers.models import Stage
from customers.tests.factories import ContactFactory, make_customer

pytestmark = pytest.mark.django_db

with translation.override("en"):
    HEADERS = [str(c.header) for c in COLUMNS]
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("深圳腾飞", "深圳腾飞"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, "-5"),
        (3.5, "3.5"),
        (None, ""),
    ],
)
def test_csv_fields_starting_with_a_formula_trigger_get_a_quote(value, expected):
    text = "".join(csv_chunks(["x"], [TEXT if isinstance(value, str) else NUMBER], [[value]]))
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1] == [expected]


def test_xlsx_cells_keep_types():
    data = xlsx_bytes(
        ["名称", "代码", "日期", "数量"],
        [TEXT, IDENT, DATE, NUMBER],
        [
            ['=HYPERLINK("x")', "000001", dt.date(2024, 10, 16), -5],
            ["-5", "13800138000", None, 12.5],
        ],
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    a2, b2, c2, d2 = sheet["A2"], sheet["B2"], sheet["C2"], sheet["D2"]
    assert a2.value == '=HYPERLINK("x")'  # the text as typed, never a formula
    assert a2.data_type == "s"
    assert a2.quotePrefix
    assert b2.value == "000001"
    assert b2.data_type == "s"
    assert b2.number_format == "@"
    assert c2.is_date
    assert c2.value.date() == dt.date(2024, 10, 16)
    assert "yy" in c2.number_format
    assert d2.value == -5
    assert d2.data_type == "n"
    assert sheet["A3"].value == "-5"  # the text '-5' stays text
    assert sheet["A3"].data_type == "s"
    assert sheet["B3"].value == "13800138000"
    assert sheet["B3"].data_type == "s"
    assert sheet["C3"].value is None
    assert sheet["D3"].value == 12.5


def test_csv_has_bom_and_neutralises():
    text = "".join(
        csv_chunks(
            ["名称", "日期", "数"], [TEXT, DATE, NUMBER], [["=cmd", dt.date(2024, 1, 2), -5]]
        )
    )
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["名称", "日期", "数"], ["'=cmd", "2024-01-02", "-5"]]


@pytest.fixture
def exported(org):
    customer = make_customer(
        org.rep,
        name="=深圳腾飞科技有限公司",
        credit_code="000001",
        external_code="-12",
        industry="制造业",
        listed_on=dt.date(2010, 5, 6),
        stage=Stage.TARGET,
    )
    ContactFactory(customer=customer, name="@张经理", phone="13800138000", is_project_owner=True)
    make_customer(org.rep, name="北京远航物流有限公司", industry="物流")
    make_customer(org.rep_b, name="别组客户")
    return customer


def test_xlsx_export_of_the_filtered_list(org, client, exported):
    client.force_login(org.supervisor)
    response = client.get(
        reverse("customers:customer_export"), {"format": "xlsx", "industry": "制造业"}, **EN
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=False))
    assert [c.value for c in rows[0]] == HEADERS
    assert len(rows) == 2  # the filter applies: one customer
    cells = {HEADERS[i]: cell for i, cell in enumerate(rows[1])}
    assert cells["Customer name"].value == "=深圳腾飞科技有限公司"
    assert cells["Customer name"].data_type == "s"
    code = cells["Unified social credit code"]
    assert code.value == "000001"
    assert code.data_type == "s"
    assert code.number_format == "@"
    assert cells["External code"].value == "-12"
    assert cells["External code"].data_type == "s"
    phone = cells["Contact phone"]
    assert phone.value == "13800138000"
    assert phone.number_format == "@"
    assert cells["Primary contact"].value == "@张经理"
    assert cells["Listed on"].is_date
    assert cells["Listed on"].value.date() == dt.date(2010, 5, 6)
    assert cells["In stage since"].is_date
    assert cells["Days in stage"].data_type == "n"
    assert cells["Days in stage"].value == 0
    assert cells["Stage"].value == "Target customer"
    assert cells["Owner"].value == str(org.rep)
    assert cells["Team"].value == "北一组"


def test_csv_export(org, client, exported):
    client.force_login(org.rep)
    response = client.get(
        reverse("customers:customer_export"), {"format": "csv", "q": "sztf"}, **EN
    )
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert len(rows) == 2
    row = dict(zip(HEADERS, rows[1], strict=True))
    assert row["Customer name"] == "'=深圳腾飞科技有限公司"
    assert row["Unified social credit code"] == "000001"
    assert row["Listed on"] == "2010-05-06"


def test_export_respects_the_scope(org, client, exported):
    client.force_login(org.rep)
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("customers:customer_export")).content)
    ).active
    names = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"=深圳腾飞科技有限公司", "北京远航物流有限公司"}
    client.force_login(org.outsider)
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("customers:customer_export")).content)
    ).active
    assert sheet.max_row == 1  # headers only


def test_unknown_format_is_a_400(org, client):
    client.force_login(org.rep)
    assert client.get(reverse("customers:customer_export"), {"format": "pdf"}).status_code == 400
