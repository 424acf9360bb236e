"""The header row and column choices of the page and the command, the command's
language, and the error workbook's formulas without a saved value."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from customers.models import Contact, Customer, ImportJob
from customers.tests.test_import_command import run
from customers.tests.test_import_support import media, run_import  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

NO_HEADER = "甲公司,13800138000,北京\n乙公司,13900139000,上海\n".encode()


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


# --------------------------------------------------------------------------- command
def test_command_imports_a_file_without_header_row_with_a_mapping(tmp_path):
    path = _write(tmp_path, "plain.csv", NO_HEADER)
    code, out, err = run(
        path, "--header-row", "none", "--map", "A=name", "--map", "2=联系电话", "--lang", "en"
    )
    assert (code, out.splitlines()) == (0, ["rows=2 created=2 updated=0 duplicates=0 rejected=0"])
    assert err.strip() == "Columns not imported: C"
    assert set(Customer.objects.values_list("name", flat=True)) == {"甲公司", "乙公司"}
    assert Contact.objects.get(customer__name="甲公司").phone == "13800138000"


def test_command_refuses_once_when_no_column_gives_the_name(tmp_path):
    path = _write(tmp_path, "plain.csv", NO_HEADER)
    code, out, err = run(path, "--lang", "en")
    assert (code, out) == (2, "")
    assert err.count("\n") <= 1
    assert "No column is mapped to name" in err
    assert "A, B, C" in err


def test_command_takes_a_header_row_number_and_maps_by_header_text(tmp_path):
    data = "导出说明\n单位,电话\n甲公司,13800138000\n".encode()
    path = _write(tmp_path, "titled.csv", data)
    code, out, _err = run(path, "--header-row", "2", "--map", "单位=name", "--lang", "en")
    assert (code, out.splitlines()[0]) == (0, "rows=1 created=1 updated=0 duplicates=0 rejected=0")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--map", "Z=name"], "the file has no column 'Z'"),
        (["--map", "A=nonsense"], "'nonsense' is not a field"),
        (["--map", "name"], "--map takes COLUMN=FIELD"),
        (["--header-row", "two"], "--header-row takes a row number"),
    ],
)
def test_command_explains_a_bad_mapping_option(tmp_path, args, message):
    path = _write(tmp_path, "plain.csv", NO_HEADER)
    code, _out, err = run(path, "--lang", "en", *args)
    assert code == 2
    assert message in err
    assert ImportJob.objects.count() == 0


def test_command_speaks_the_chosen_language_for_rows_and_refusals(tmp_path):
    data = "客户名称,联系电话\n甲公司,12345\n".encode()
    path = _write(tmp_path, "bad.csv", data)
    code, out, _err = run(path, "--lang", "zh-hans")
    assert code == 1
    assert out.splitlines()[1].startswith(
        "第 2 行：联系电话：不是电话号码：'12345' 共 5 位数字；应为大陆手机号"
    )
    code, out, _err = run(path, "--lang", "en")
    assert out.splitlines()[1].startswith(
        "row 2: Contact phone: not a phone number: '12345' has 5 digits"
    )
    html = _write(tmp_path, "page.xls", b"<html><body><table></table></body></html>")
    code, _out, err = run(html, "--lang", "zh-hans")
    assert code == 2
    assert "另存为 .xlsx" in err


# --------------------------------------------------------------------------- page
def test_preview_shows_the_detected_header_row_and_takes_another_or_none(org, client_for):
    admin = client_for(org.admin)
    data = "说明\n客户名称,行业\n甲公司,制造\n".encode()
    response = admin.post(
        reverse("customers:import_new"),
        {"file": SimpleUploadedFile("t.csv", data), "kind": "customers", "on_duplicate": "skip"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    job = ImportJob.objects.get()
    url = reverse("customers:import_preview", args=[job.pk])
    page = admin.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "headers on row 2 (detected)" in page
    assert '<option value="auto" selected>Detect automatically (row 2)</option>' in page

    response = admin.post(url, {"header_row": "0", "date_order": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.header_row == 0
    page = admin.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "no header row: every row is data" in page
    assert page.count('data-testid="preview-row"') == 3
    assert "(column A)" in page

    admin.post(url, {"header_row": "2", "date_order": ""})
    job.refresh_from_db()
    assert job.header_row == 2
    assert job.mapping == {"0": "name", "1": "industry"}


def test_preview_names_a_column_without_header_in_the_readers_language(org, client_for):
    admin = client_for(org.admin)
    data = "客户名称,行业,\n甲公司,制造,备注一\n".encode()
    admin.post(
        reverse("customers:import_new"),
        {"file": SimpleUploadedFile("t.csv", data), "kind": "customers", "on_duplicate": "skip"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    url = reverse("customers:import_preview", args=[ImportJob.objects.get().pk])
    page = admin.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "（第 C 列，无表头）" in page
    assert "no header)" not in page
    page = admin.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "(column C, no header)" in page


def test_error_workbook_quotes_a_formula_without_saved_value(org):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["客户名称", "客户编码"])
    ws.append(['=A3&"分公司"', "1"])
    ws.append(["乙公司", "2"])
    buf = io.BytesIO()
    wb.save(buf)
    with translation.override("en"):
        job = run_import(buf.getvalue(), team=org.team_a)
    assert (job.created_count, job.rejected_count) == (1, 1)
    assert job.errors[0]["params"] == {"formula": '=A3&"分公司"'}
    sheet = openpyxl.load_workbook(io.BytesIO(job.error_file.read())).active
    rows = list(sheet.iter_rows(values_only=False))
    assert rows[1][0].value == '=A3&"分公司"'
    assert rows[1][0].data_type == "s"  # text, never a live formula
    assert 'the formula =A3&"分公司" has no saved value' in rows[1][2].value


def test_error_workbook_is_in_the_language_of_the_starter_and_of_each_reader(org, client_for):
    data = "客户名称,联系电话\n甲公司,12345\n".encode()
    with translation.override("en"):
        job = run_import(data, name="bad.csv")
    assert job.language == "en"
    stored = openpyxl.load_workbook(io.BytesIO(job.error_file.read())).active
    assert stored["C1"].value == "Reason"
    assert "not a phone number: '12345' has 5 digits" in stored["C2"].value

    admin = client_for(org.admin)
    url = reverse("customers:import_errors", args=[job.pk])
    for lang, reason, text in (("zh-hans", "原因", "不是电话号码"), ("en", "Reason", "mobile")):
        response = admin.get(url, HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 200
        content = b"".join(response.streaming_content)
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        assert sheet["C1"].value == reason
        assert text in sheet["C2"].value
        assert sheet["B2"].value == "12345"
